import ipaddress
import shutil
import socket

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import translation

from tests.factories import make_personas


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the shipped reference data once into the test database."""
    with django_db_blocker.unblock():
        call_command("load_reference_data", verbosity=0)


@pytest.fixture(autouse=True)
def _portal_test_settings(settings, tmp_path):
    # Tests do not run collectstatic, so hashed static names are not available.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    # Hashing is deliberately slow in production; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.AXES_ENABLED = True
    from smartcity_portal.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    # A request through the test client leaves its language active in this thread: every test
    # starts in the portal's default language, whatever the test before it asked for.
    translation.deactivate()
    yield
    translation.deactivate()
    cache.clear()


@pytest.fixture
def personas(db):
    return make_personas()


@pytest.fixture
def chromium_path():
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not shutil.which(path):
        pytest.skip("Chromium is not installed (apt-get install -y chromium); .ci/run installs it.")
    return path


class FakeDns:
    """Host names answered from a table instead of the network (numeric hosts pass through).

    ``fake_dns.answer("hooks.example.com", ["1.1.1.1"], ["127.0.0.1"])`` answers the
    first lookup with 1.1.1.1 and every later one with 127.0.0.1; a name not in the
    table does not exist. ``lookups`` lists the names looked up, in order.
    """

    def __init__(self, real):
        self.real = real
        self.answers = {}
        self.lookups = []

    def answer(self, host, *answers):
        self.answers[host] = [list(addresses) for addresses in answers]

    def getaddrinfo(self, host, port, family=0, type=0, proto=0, flags=0):
        name = host.decode() if isinstance(host, bytes) else host
        try:
            ipaddress.ip_address(str(name).split("%")[0])
        except ValueError:
            pass
        else:
            return self.real(host, port, family, type, proto, flags)
        self.lookups.append(name)
        if name not in self.answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        queue = self.answers[name]
        addresses = queue.pop(0) if len(queue) > 1 else queue[0]
        port = int(port or 0)
        return [
            (socket.AF_INET6, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (a, port, 0, 0)) if ":" in a
            else (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (a, port))
            for a in addresses
        ]


@pytest.fixture
def fake_dns(monkeypatch):
    """Name resolution from a table (``FakeDns``): tests never ask a real resolver."""
    dns = FakeDns(socket.getaddrinfo)
    monkeypatch.setattr(socket, "getaddrinfo", dns.getaddrinfo)
    return dns


@pytest.fixture
def outside_connections(monkeypatch):
    """Refuse (as a closed port would) every TCP connection to a non-loopback address; list them.

    Tests that make the portal resolve names to public addresses use it, so that
    nothing ever leaves the machine.
    """
    attempts = []
    real_connect = socket.socket.connect

    def connect(sock, address):
        if isinstance(address, tuple):
            try:
                loopback = ipaddress.ip_address(str(address[0]).split("%")[0]).is_loopback
            except ValueError:
                loopback = False
            if not loopback:
                attempts.append(address[:2])
                raise ConnectionRefusedError(111, "Connection refused (by the test: not a loopback address)")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    return attempts
