from smartcity_portal.formats import SHORT_DATE_FORMAT, SHORT_DATETIME_FORMAT  # noqa: F401
