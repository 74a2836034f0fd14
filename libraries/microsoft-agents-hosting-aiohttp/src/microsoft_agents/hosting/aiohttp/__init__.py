"""Host Microsoft 365 Agents SDK agents on aiohttp (work in progress)."""

__all__: list[str] = []
