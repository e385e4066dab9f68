"""
WSGI config for smartcity_portal project.

It exposes the WSGI callable as a module-level variable named ``application``.

For more information on this file, see
https://docs.djangoproject.com/en/5.2/howto/deployment/wsgi/
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'smartcity_portal.settings')

application = get_wsgi_application()

from django.conf import settings

if settings.BENCHMARK:
    # benchmarks/run.py: /_benchmark/bare, a view with no middleware on this same server.
    from smartcity_portal.benchmarking import with_bare_view

    application = with_bare_view(application)
