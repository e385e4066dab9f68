"""Behaviour shared by the API's viewsets."""


class FilterListOnly:
    # A filterset's default (such as status=current) narrows what a list shows;
    # one object named by its URL must be found whatever that default says.

    def filter_queryset(self, queryset):
        """Apply the filterset to lists only."""
        if getattr(self, "action", None) != "list":
            return queryset
        return super().filter_queryset(queryset)
