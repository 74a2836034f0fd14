"""The models of Adaptive Card search routes.

A handler registered with ``@app.adaptive_card.search("dataset")`` receives a
``Query[AdaptiveCardSearchParams]`` (what the user typed, and the page wanted) and returns
the choices as a list of :class:`AdaptiveCardSearchResult`::

    @app.adaptive_card.search("packages")
    async def search(context, state, query: Query[AdaptiveCardSearchParams]):
        names = await find_packages(query.parameters.query_text)
        page = names[query.skip : query.skip + query.count]
        return [AdaptiveCardSearchResult(title=name, value=name) for name in page]
"""

from microsoft_agents.hosting.core.app._query import Query

from ._models import AdaptiveCardSearchParams, AdaptiveCardSearchResult

__all__ = ["AdaptiveCardSearchParams", "AdaptiveCardSearchResult", "Query"]
