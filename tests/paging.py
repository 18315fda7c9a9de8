"""Reading keyset-paged pages in tests: the row ids of a page, its Next/Previous links, walking every page."""

import re
from html import unescape

from tests.factories import MembershipFactory, UserFactory


def ids(html, prefix, pattern=r"[\w-]+"):
    return re.findall(rf'<tr id="{prefix}-({pattern})"', html)


def link(html, rel):
    found = re.search(rf'<a href="([^"]*)" rel="{rel}">', html)
    return unescape(found.group(1)) if found else None


def walk(client, url, prefix):
    """Follow the Next links from ``url``; the row ids of each page and the last page's HTML."""
    path, _, query = url.partition("?")
    pages, query = [], f"?{query}"
    while query is not None:
        html = client.get(path + query).content.decode()
        pages.append(ids(html, prefix))
        query = link(html, "next")
    return pages, html


def members(team, count, prefix="m"):
    found = []
    for n in range(count):
        user = UserFactory(email=f"{prefix}{n:03d}@acme.test")
        MembershipFactory(team=team, user=user, role="member")
        found.append(user)
    return found
