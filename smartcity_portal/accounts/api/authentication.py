from knox.auth import TokenAuthentication


class PortalTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>`` with the portal's revocable, expiring tokens."""
