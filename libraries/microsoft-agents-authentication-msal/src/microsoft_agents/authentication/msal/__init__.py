"""Microsoft Entra ID tokens for agents, through MSAL (work in progress)."""

__all__: list[str] = []
