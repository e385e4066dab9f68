"""The page of a list that ``?page=`` asks for, the same way on every paged page."""
from django.core.paginator import InvalidPage, Paginator
from django.http import Http404


def page_or_404(request, object_list, per_page):
    """The page of ``object_list`` that ``?page=`` names (the first without it).

    A page that is not a number or does not exist is a 404, as in Django's
    ``ListView``: ``Paginator.get_page`` would show the first or the last page
    under an address naming another, which misleads whoever follows or cites
    it, and would let the public page cache keep one copy per such address.
    """
    paginator = Paginator(object_list, per_page)
    try:
        return paginator.page(request.GET.get("page") or 1)
    except InvalidPage as error:
        raise Http404(str(error)) from None
