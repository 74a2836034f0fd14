"""Generate docs/conformance.md: where the SDK stands on each Activity Protocol requirement.

Three inputs are joined, one row per requirement:

* the requirement rows of docs/activity-requirements.md (a copy of the project's checklist
  of the Activity Protocol spec): every table row whose first cell is an ``A…``/``C…`` id,
  the ``#2`` duplicates included;
* the tests under tests/: a test function cites an id when its name or its docstring
  contains the id as a whole word (``test_locale_is_kept_A3020`` or a docstring starting
  ``"A3020, A3021: ..."``). A ``#2`` row is cited by writing its full id, e.g. ``A3020#2``,
  in a docstring (a Python name cannot hold ``#``); a bare ``A3020`` cites only ``A3020``;
* :data:`NOTES` below: the status and the reason of every row that no test cites.

A row cited by a test is ``tested`` (its NOTES entry, if any, only adds a note); a row
cited only by tests marked ``xfail`` is ``xfail`` (a known gap, see the test's reason).
Otherwise the NOTES entry decides: ``not yet`` (a later layer will own it) or ``n/a``.
A NOTES entry with status ``tested`` only adds a note to a tested row (it is an error if
no test cites that row).
Rows whose ``SDK?`` column is ``n/a`` default to ``n/a`` with the party they bind.

The script fails, naming the ids, when an ``SDK? = Y`` row has neither a test nor a NOTES
entry, or when NOTES names a row that does not exist.

Usage::

    python3 scripts/conformance_table.py           # (re)write docs/conformance.md
    python3 scripts/conformance_table.py --check   # exit 1 if docs/conformance.md is stale
"""

from __future__ import annotations

import argparse
import ast
import difflib
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "docs" / "activity-requirements.md"
TESTS = ROOT / "tests"
OUTPUT = ROOT / "docs" / "conformance.md"

ID_CELL = re.compile(r"[AC]\d{4,5}(?:#2)?")
# An id as a whole word: no letter or digit right before it, no digit right after it.
# "A3020#2" is the #2 row; "A3020" followed by anything else is the plain row.
ID_IN_TEXT = re.compile(r"(?<![A-Za-z0-9])([AC]\d{4,5})(?!\d)(#2(?!\d))?")
MAX_TESTS_SHOWN = 3

TESTED = "tested"
XFAIL = "xfail"
NOT_YET = "not yet"
NA = "n/a"
NOTE_STATUSES = (TESTED, NOT_YET, NA)
STATUS_ORDER = (TESTED, XFAIL, NOT_YET, NA)

# Owners of the work that is "not yet" done (the layers arrive in later issues).
OUTBOUND = "hosting-core: TurnContext outbound path"
ROUTING = "hosting-core: ActivityHandler / AgentApplication routing"
ADAPTER = "hosting-core: CloudAdapter (inbound processing)"
HTTP = "hosting-aiohttp: HTTP endpoint"
FACTORY = "hosting-core: MessageFactory / CardFactory"
STREAMING = "hosting-core: StreamingResponse"
A2A = "hosting-core: agent-to-agent client"
PROACTIVE = "hosting-core: proactive messaging"
MEDIA = "hosting-core: media-streaming event helpers (no issue yet)"
COMMANDS = "hosting-core: command / commandResult helpers (no issue yet)"
SESSION = "hosting-core: session.* command helpers (no issue yet)"
SEMANTIC = "hosting-core: semantic-action builder/validation (no issue yet)"
VOICE = "hosting-core: voice/speech output (no issue yet)"

APP_CONTENT = "binds application content; the models carry the field verbatim"
CLIENT_SIDE = "only clients act on this; an agent never renders or activates it"

# id -> (status, note). Every SDK-applicable row that no test cites needs an entry here;
# status "tested" entries only annotate rows that tests cite.
NOTES: dict[str, tuple[str, str]] = {
    # Basic structure
    "A2004": (
        TESTED,
        "TurnContext leaves empty strings out of what it sends (text and speak may be empty)",
    ),
    "A2033": (
        TESTED,
        "the SDK de-duplicates repeated deliveries itself, on by default (see Deliberate "
        "choices), and never relies on a channel doing it",
    ),
    "A2042": (TESTED, "ChannelServiceAdapter never gates processing on timestamps"),
    "A2063": (
        NOT_YET,
        f"{OUTBOUND}; create_reply keeps from.name on purpose (see Deliberate choices)",
    ),
    "A2071": (
        NOT_YET,
        f"{OUTBOUND} (suggestion without recipient refused); create_reply sets recipient "
        "on purpose (see Deliberate choices)",
    ),
    "A2080": (TESTED, "TurnContext refuses to send when the incoming activity has no conversation"),
    "A2082": (
        NOT_YET,
        f"{OUTBOUND}; create_reply keeps the whole conversation (see Deliberate choices)",
    ),
    "A2083": (
        NOT_YET,
        f"{OUTBOUND}; create_reply keeps isGroup/conversationType (see Deliberate choices)",
    ),
    "A2100": (
        TESTED,
        "create_reply starts with entities=[] for compatibility; "
        "TurnContext leaves the empty list out of what it sends",
    ),
    "A2251": (TESTED, "ChannelServiceAdapter discards an inbound callerId"),
    "A2252": (TESTED, "ChannelServiceAdapter sets callerId from the validated token"),
    "A2302": (
        NOT_YET,
        f"{OUTBOUND}; create_reply keeps serviceUrl on purpose (see Deliberate choices)",
    ),
    # Delivery mode
    "A3111": (TESTED, "ChannelServiceAdapter treats an unknown deliveryMode as normal"),
    "A3112": (
        TESTED,
        f"{HTTP}: every receiver buffers (long-running messages too), so none has to refuse",
    ),
    "A3113": (TESTED, "ChannelServiceAdapter returns expectReplies replies in the HTTP answer"),
    "A3114": (TESTED, f"{A2A} (no expectReplies on invoke)"),
    "A3115": (
        TESTED,
        f"{A2A}: passed on only by a channel made with supports_expect_replies (ChannelInfo "
        "setting); upstream passes it to every callee",
    ),
    "A3116": (TESTED, "TurnContext strips deliveryMode expectReplies from what it sends"),
    # Message
    "A3031": (NOT_YET, f"{VOICE}; the schema never interprets speak"),
    "A3033": (NOT_YET, f"{VOICE}; the SDK parses no SSML today"),
    "A3035": (NOT_YET, f"{VOICE} (fall back to text when speak is missing)"),
    "A3041": (NOT_YET, f"{FACTORY} (voice channels always get inputHint)"),
    "A3050": (
        TESTED,
        "create_reply starts with attachments=[] for compatibility; "
        "TurnContext leaves the empty list out of what it sends",
    ),
    "A3070": (NOT_YET, "hosting-core: transcript logging (summary rendered after text)"),
    "A5250": (NOT_YET, f"{FACTORY} (voice message helper)"),
    "A5251": (NOT_YET, f"{FACTORY} (voice message value model)"),
    "A5252": (NOT_YET, f"{FACTORY} (voice message transcription)"),
    "A4101": (TESTED, "hosting-core: AgentTester lists each member id once"),
    # Event / invoke / trace
    "A5001": (TESTED, "TurnContext refuses to send an event without a name"),
    "A5210": (NOT_YET, MEDIA),
    "A5211": (NOT_YET, MEDIA),
    "A5212": (NOT_YET, MEDIA),
    "A5220": (NOT_YET, MEDIA),
    "A5221": (NOT_YET, MEDIA),
    "A5230": (NOT_YET, MEDIA),
    "A5231": (NOT_YET, MEDIA),
    "A5232": (NOT_YET, MEDIA),
    "A5240": (NOT_YET, MEDIA),
    "A5241": (NOT_YET, MEDIA),
    "A5260": (NOT_YET, MEDIA),
    "A5261": (NOT_YET, MEDIA),
    "A5262": (NOT_YET, MEDIA),
    "A5401": (TESTED, "TurnContext refuses to send an invoke without a name"),
    "A5402": (TESTED, f"ActivityHandler answers 501; {HTTP} turns it into the HTTP status"),
    "A5501": (NOT_YET, f"{ROUTING} (invoke value model chosen from type and name)"),
    "A6152": (TESTED, f"{ROUTING}: a trace reaches no handler unless the app routes traces"),
    "A6156": (NOT_YET, "hosting-core: the SDK's own trace names (defined with the layer)"),
    "A6001": (
        TESTED,
        "TypingIndicator: every 10 s by default; pva-studio (Copilot Studio's test canvas) "
        "every 1 s, as upstream has it for that canvas; an app's own TypingOptions are its choice",
    ),
    # Command / commandResult
    "A6301": (NOT_YET, COMMANDS),
    "A6302": (NOT_YET, COMMANDS),
    "A6310": (NOT_YET, COMMANDS),
    "A6311": (NOT_YET, COMMANDS),
    "A6312": (NOT_YET, f"{ROUTING} (malformed command names ignored)"),
    "A6321": (NOT_YET, COMMANDS),
    "A6322": (NOT_YET, f"{ROUTING} (commands without a valid value ignored)"),
    "A6400": (NOT_YET, COMMANDS),
    "A6411": (NOT_YET, COMMANDS),
    "A6412": (NOT_YET, f"{ROUTING} (commandResult without a valid name ignored)"),
    "A6413": (NOT_YET, COMMANDS),
    "A6421": (NOT_YET, COMMANDS),
    "A6422": (NOT_YET, f"{ROUTING} (commandResult without a valid value refused)"),
    "A10201": (NOT_YET, COMMANDS),
    "A11100": (NOT_YET, COMMANDS),
    "A11201": (NOT_YET, COMMANDS),
    "A11300": (NOT_YET, COMMANDS),
    "A11301": (NOT_YET, COMMANDS),
    # Attachments and card actions
    "A7100": (NOT_YET, f"{FACTORY} (warn when content and contentUrl are both set)"),
    "A7225": (NA, APP_CONTENT),
    "A7226": (NA, CLIENT_SIDE),
    "A7350": (NOT_YET, f"{FACTORY} (warn on a primitive messageBack value)"),
    "A7359": (NOT_YET, f"{FACTORY} (warn on messageBack with neither image nor title)"),
    "A7381": (NA, CLIENT_SIDE),
    "A7382": (NA, CLIENT_SIDE),
    "A7391": (NA, CLIENT_SIDE),
    "A7392": (NA, CLIENT_SIDE),
    "A7401": (NA, CLIENT_SIDE),
    "A7402": (NA, CLIENT_SIDE),
    "A7411": (NA, CLIENT_SIDE),
    "A7412": (NA, CLIENT_SIDE),
    "A7422": (NA, APP_CONTENT),
    "A7432": (NA, APP_CONTENT),
    "A7441": (NA, CLIENT_SIDE),
    "A7512": (
        NOT_YET,
        f"{OUTBOUND}; create_reply copies the conversation verbatim, role included",
    ),
    "A7560": (
        TESTED,
        f"{PROACTIVE}: no stored flag; a reference's serviceUrl is not trusted at all, every "
        "proactive request passes the outbound host allow-list, so no token goes elsewhere",
    ),
    "A7610": (NA, "binds whoever defines entity types; the SDK defines none of its own"),
    "A7611": (
        NOT_YET,
        "activity schema: IRI forms of Appendix II types are kept as generic entities",
    ),
    "A7612": (NA, "binds whoever defines entity types; the SDK defines none of its own"),
    "A7701": (TESTED, "TurnContext drops suggestedActions without actions"),
    "A7711": (NA, CLIENT_SIDE),
    "A7720": (NA, CLIENT_SIDE),
    "A7721": (NOT_YET, f"{OUTBOUND} (TextHighlight accepts empty text today)"),
    # Semantic actions
    "A7760": (NOT_YET, SEMANTIC),
    "A7761": (NOT_YET, SEMANTIC),
    "A7762": (NOT_YET, SEMANTIC),
    "A7764": (NOT_YET, f"{ROUTING} (no handler requires a semantic action)"),
    "A7730": (NOT_YET, SEMANTIC),
    "A7731": (NOT_YET, SEMANTIC),
    "A7733": (NOT_YET, SEMANTIC),
    "A7740": (NA, APP_CONTENT),
    "A7742": (NA, APP_CONTENT),
    "A7744": (NA, APP_CONTENT),
    "A7745": (NOT_YET, SEMANTIC),
    "A7746": (NOT_YET, SEMANTIC),
    "A7747": (NOT_YET, SEMANTIC),
    "A7748": (NOT_YET, SEMANTIC),
    "A7750": (NOT_YET, SEMANTIC),
    "A7751": (NOT_YET, SEMANTIC),
    "A7752": (NOT_YET, SEMANTIC),
    "A7753": (NOT_YET, f"{SEMANTIC}; index unit (code point or UTF-16) to be decided"),
    # Appendix II entities
    "A9202": (NA, "the SDK never sends clientInfo (see A9201)"),
    "A9212": (NA, "the SDK never sends clientInfo (see A9201)"),
    "A9230": (NA, APP_CONTENT),
    "A9240": (NOT_YET, STREAMING),
    "A9241": (NOT_YET, STREAMING),
    "A9242": (NOT_YET, STREAMING),
    "A9243": (NOT_YET, STREAMING),
    "A9244": (NOT_YET, STREAMING),
    "A9245": (NOT_YET, f"{STREAMING} (receiving side of agent-to-agent streams)"),
    "A9246": (NOT_YET, f"{STREAMING} (never two streaminfo entities)"),
    "A9260": (NOT_YET, MEDIA),
    "A9261": (NOT_YET, MEDIA),
    "A9262": (NOT_YET, MEDIA),
    # Appendix IV / VI
    "A9300": (NA, "binds whoever writes listenFor phrases; the SDK builds none"),
    "A9301": (NA, "binds whoever writes listenFor phrases; the SDK builds none"),
    "A9302": (NA, "binds whoever writes listenFor phrases; the SDK builds none"),
    "A9400": (NOT_YET, SESSION),
    "A9401": (NOT_YET, SESSION),
    "A9402": (NOT_YET, SESSION),
    "A9410": (NOT_YET, SESSION),
    "A9411": (NOT_YET, SESSION),
    "A9412": (NOT_YET, SESSION),
    "A9420": (NOT_YET, SESSION),
    "A9421": (NOT_YET, SESSION),
    "A9430": (NOT_YET, SESSION),
    "A9431": (NOT_YET, SESSION),
    "A9440": (NOT_YET, SESSION),
    "A9441": (NOT_YET, SESSION),
    "A9442": (NOT_YET, SESSION),
    # Cards
    "C6401": (NA, CLIENT_SIDE),
    "C6402": (NA, CLIENT_SIDE),
    "C6500": (NA, APP_CONTENT),
    "C6900": (NA, APP_CONTENT),
    "C6901": (NA, APP_CONTENT),
    "C6902": (NA, APP_CONTENT),
    "C6903": (NA, APP_CONTENT),
    "C6904": (NA, APP_CONTENT),
    "C6930": (NA, CLIENT_SIDE),
    "C6950": (NA, APP_CONTENT),
    "C7100": (NA, APP_CONTENT),
    "C8202": (NA, APP_CONTENT),
    # Notes on rows that are tested, to say what the tests do not cover.
    "A2250": (TESTED, f"create_reply/create_trace part tested; the send path is {OUTBOUND}"),
    "A3012": (TESTED, "kept verbatim; reading an unknown value as plain is up to the reader"),
    "A3042": (TESTED, "kept verbatim; reading an unknown value as accepting is for hosting"),
    "A3061": (TESTED, "kept verbatim; reading an unknown value as list is up to the reader"),
    "A3080": (TESTED, f"inbound part tested; warning on send is {FACTORY}"),
    "A3101": (TESTED, "kept verbatim; reading an unknown value as normal is up to the reader"),
    "A3110": (
        TESTED,
        "DeliveryModes also lists notification/ephemeral/stream for compatibility",
    ),
    "A5100": (TESTED, f"parsing tested; dispatch is {ROUTING}"),
    "A5200": (
        TESTED,
        "the internal ContinueConversation event points at its own conversation; it is "
        "never sent to a channel",
    ),
    "C2004": (TESTED, "builders add no empty strings; an app-provided '' is sent as given"),
    "C6920": (TESTED, "duration is ISO text; a timedelta is refused, not converted"),
}

INTRO = """\
# Activity Protocol conformance

This table says, for every numbered requirement of the Activity Protocol checklist
([activity-requirements.md](activity-requirements.md)), whether this SDK meets it and which
tests show it. A row is **tested** when a test cites its id; **xfail** when only tests
marked `xfail` cite it (a known gap, see the test); **not yet** when a later layer (named
in the note) will own it; **n/a** when it binds someone other than an agent SDK.

The file is generated; do not edit it by hand. Regenerate it with
`python3 scripts/conformance_table.py`; `python3 scripts/conformance_table.py --check`
exits with status 1 when this file is stale (tests/test_conformance_doc.py runs that check).
A test cites a requirement by naming its id in the test name or docstring
(`test_locale_is_kept_A3020`, or a docstring starting `A3020, A3021: ...`); the `#2` rows
are cited as `A3020#2` in a docstring.
"""

CHOICES = """\
## Deliberate choices

- **A repeated delivery runs once, by default** (A2033 allows receivers to de-duplicate;
  the checklist suggests making it opt-in). Channels retry a POST they had no answer to in
  time (Teams and Bot Service after about 15 seconds), and a second run would answer the
  user twice. The HTTP adapter remembers (channel, conversation, activity id) for five
  minutes: a repeat of a normal activity gets 202, a repeat of an invoke or an
  `expectReplies` request gets the first delivery's answer. `CloudAdapter(
  duplicate_window=None)` turns it off. Activities without an id and `deliveryMode:
  stream` requests are never held back.
- **Streaming follows a per-channel table** (`microsoft_agents.hosting.core.app.streaming.
  _policy`): Teams streams only in personal chats and never for agentic requests (other
  Teams conversations get one plain message, without a `streaminfo` entity);
  `expectReplies` never streams. Differences from the reference SDK: the "AI generated"
  label and a sensitivity label are sent even when the text cites no source; the used
  citations go on the final message too; a stream closed early carries `streamResult`
  `timeout`, `error` or `cancelled` (A9244); a stream the channel refuses (by status and
  error code, such as Teams' 403 `ContentStreamNotAllowed`) ends with the whole text as one
  normal message, also when the refused activity is the first one (protocol.md §10 says to
  cancel silently; the issue asks for the fallback); a final message with attachments and
  no text carries no `"end stream response"` placeholder text; `deliveryMode: stream`
  that an adapter cannot answer over HTTP follows the channel's own row.
- **An activity without `channelId` or `from.id` is refused with 400** `{"error":
  "Activity must have channelId and from.id"}`: every channel sends both (A2020, A2060),
  and conversation and user state are keyed on them. protocol.md §5 refuses only a missing
  `type` or `conversation.id`; the reference SDK then fails inside the turn. A `_channelId`
  (what the JavaScript SDK's agent client 1.8 writes) is taken as the channel id.
- **Multi-tenant client-credentials tokens come from the Bot Framework tenant.** With
  `TENANTID` (or an `AUTHORITY` segment) `common` or `organizations` and no request
  tenant, `MsalAuth` asks `https://login.microsoftonline.com/botframework.com`
  (`MicrosoftServices.onmicrosoft.com` on `login.microsoftonline.us`), as the Bot
  Framework SDKs do, not `.../common` (protocol.md §14.2), where Entra ID has no
  client-credentials flow.
- **`deliveryMode: stream` is answered with server-sent events** (protocol.md §18 row 5):
  200 `text/event-stream`, one `event: activity` per reply as it is sent, then `event:
  invokeResponse` for an invoke.
- **`long_running_messages=True` works** (protocol.md §18 row 4) and needs neither
  `bot_app_id` nor a proactive continuation: the HTTP request is answered at once and the
  same turn (same context and clients) finishes in a tracked background task. The
  adapter's middleware runs once, around the part before the answer: its code after
  `await logic()` runs when the request is answered, and an error of the background part
  goes to `on_turn_error`, not through the middleware. What middleware registered on the
  context (`on_send_activities`, `on_update_activity`, `on_delete_activity`) still sees
  every reply of the background part.
- **Replies are addressed fully.** `Activity.create_reply` sets no `id` and no `timestamp`
  (A2031, A2041), but it keeps `from.name`, sets `recipient` to the inbound sender, keeps
  `serviceUrl` and copies the whole `conversation` (protocol.md §18 row 15). A2063, A2071,
  A2082, A2083 and A2302 are SHOULD NOTs: the reference SDK does the same, and channels such
  as Teams need the conversation's `tenantId` and `conversationType` on a reply.
- **`create_reply` writes `attachments: []` and `entities: []`**, like the reference SDK,
  so code that appends to them keeps working. The models write what was set;
  `TurnContext` leaves empty lists, empty strings (other than `text` and `speak`) and empty
  suggested actions out of everything it sends (A2004, A2100, A3050, A7701).
- **Entity `type` keeps the spelling that came in.** Known types are matched ignoring case
  (`Mention` parses as a mention) and written back exactly as received.
- **Unknown keys are kept at every level** (A2005): on the activity, accounts, the
  conversation, entities, attachments, cards and actions. They round-trip unchanged.
- **Explicit nulls are accepted on input** for optional fields (protocol.md §18 row 14),
  and so are **empty strings in optional text fields**; both are written back as they
  came. A value that cannot be read as its field's type is refused with a 400 naming the
  field (A2003): `"text": 5`, `"entities": {}`, an empty or malformed `timestamp`, an
  empty `channelId`. Values pydantic reads in its lax mode are converted, as upstream's
  models do, so that a loosely written client is not refused: `"true"` or `1` for a
  boolean, `"3"` for an integer, a number of seconds for a timestamp. They are written
  back converted (`true`, `3`, an ISO timestamp), and so are an integer in a number field
  (`47.0`) and a `channelId` with spaces around it (trimmed). No channel seen sends them.
- **Half of a surrogate pair is read as U+FFFD.** JSON text may escape an unpaired
  surrogate (`"\\ud83d"`, a text cut inside an emoji by a sender counting UTF-16 units);
  the activity is read with a replacement character there, not refused, and the agent
  never gets a string it could not send back.
- **A list or dict field of an activity takes at most 10 000 items** (`MAX_ITEMS`):
  `entities`, `attachments`, `membersAdded` and the other lists of the activity, its
  entities, accounts and suggested actions, and `semanticAction.entities`. A longer one is
  one validation error (a 400) found before its items are read; unbounded, a 4 MiB body of
  two million bad entities held the event loop 17 s and took 5 GB. Lists inside list items
  (citations, the activities of a transcript) also stop at their first bad item. Upstream
  has no bound; no channel sends anything near it.
- **A malformed entity of a known type is kept as a generic `Entity`** (A2105): the
  activity parses, and helpers such as `get_mentions` skip it. An entity without a `type`
  is kept too (its `type` is `None`, nothing matches it), so a typeless entity inside a
  `semanticAction` does not fail the activity (A3133). An entity that is not a JSON object
  is refused.
- **Timestamps keep their exact wire text and offset.** A parsed `timestamp`,
  `localTimestamp` or `expiration` is written back digit for digit, `+02:00` offsets
  included (A2050). A `timestamp` or `expiration` set in code is written in UTC with `Z`
  (A2043, A3090); a `localTimestamp` set in code keeps its offset. A naive `datetime` is
  taken as the machine's local time (Python's `astimezone` rule), so no timestamp goes out
  without an offset.
- **Buttons built with `add_button(title=...)` default their value to the title only for
  `imBack`, `postBack` and `messageBack`**; a button that opens, plays, downloads or calls
  something without a `value` is refused (A7380, A7390, A7400, A7410, A7440).
- **A channel id assigned as a plain string** (`activity.channel_id = "msteams:COPILOT"`)
  is parsed like one read from JSON: the base channel goes on the wire and the sub-channel
  travels as a `ProductInfo` entity.
- **Prose and wire spellings both pass.** `inputHint` `accepting`/`acceptingInput`,
  role `agenticInstance`/`agenticAppInstance` and reaction `+1`/`plusOne` all parse and are
  kept verbatim; the enums (`InputHints`, `RoleTypes`) carry the wire spellings, which
  are what the SDK writes. Helpers only recognise the wire spelling: `is_agentic_request`
  is false for a recipient whose role is the prose `agenticInstance`.
"""

HEADER = "| id | level | SDK? | status | tests | note |\n|---|---|---|---|---|---|\n"


class ConformanceError(Exception):
    """The inputs do not account for every requirement; the message says what to fix."""


@dataclass(frozen=True)
class Requirement:
    """One row of the requirement checklist."""

    id: str
    level: str
    binds: str
    sdk: str


@dataclass
class Citation:
    """The tests that cite one requirement id."""

    passing: list[str] = field(default_factory=list)
    xfail: list[str] = field(default_factory=list)


def parse_requirements(text: str) -> list[Requirement]:
    """Every table row whose first cell is a requirement id, in document order."""
    rows: list[Requirement] = []
    for line in text.splitlines():
        if not line.startswith("|"):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 4 or not ID_CELL.fullmatch(cells[0]):
            continue
        rows.append(Requirement(id=cells[0], level=cells[1], binds=cells[2], sdk=cells[3]))
    seen: set[str] = set()
    for row in rows:
        if row.id in seen:
            raise ConformanceError(f"requirement id {row.id} appears twice in the checklist")
        seen.add(row.id)
    return rows


def ids_in(text: str) -> set[str]:
    """The requirement ids ``text`` mentions as whole words (``A3020#2`` kept distinct)."""
    return {match.group(1) + (match.group(2) or "") for match in ID_IN_TEXT.finditer(text)}


def _is_xfail(decorators: list[ast.expr]) -> bool:
    for decorator in decorators:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Attribute) and target.attr == "xfail":
            return True
    return False


def _tests_in(tree: ast.Module) -> list[tuple[str, str, bool]]:
    """(pytest node suffix, text to search, xfail?) for each test function of a module."""
    found: list[tuple[str, str, bool]] = []

    def visit(body: list[ast.stmt], prefix: str, class_xfail: bool) -> None:
        for node in body:
            if isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
                visit(
                    node.body,
                    f"{prefix}{node.name}::",
                    class_xfail or _is_xfail(node.decorator_list),
                )
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith(
                "test"
            ):
                text = node.name + "\n" + (ast.get_docstring(node) or "")
                xfail = class_xfail or _is_xfail(node.decorator_list)
                found.append((prefix + node.name, text, xfail))

    visit(tree.body, "", False)
    return found


def scan_tests(tests_dir: Path, root: Path) -> dict[str, Citation]:
    """Map each cited id to the tests citing it (``path::name``, sorted)."""
    cited: dict[str, Citation] = {}
    for path in sorted(tests_dir.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        relative = path.relative_to(root).as_posix()
        for name, text, xfail in _tests_in(tree):
            for requirement_id in ids_in(text):
                citation = cited.setdefault(requirement_id, Citation())
                (citation.xfail if xfail else citation.passing).append(f"{relative}::{name}")
    for citation in cited.values():
        citation.passing.sort()
        citation.xfail.sort()
    return cited


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _tests_cell(citation: Citation) -> str:
    names = [f"`{name}`" for name in citation.passing]
    names += [f"`{name}` (xfail)" for name in citation.xfail]
    if len(names) > MAX_TESTS_SHOWN:
        names = [*names[:MAX_TESTS_SHOWN], f"+{len(names) - MAX_TESTS_SHOWN}"]
    return "<br>".join(names)


def build(spec_text: str, cited: dict[str, Citation]) -> str:
    """The Markdown of docs/conformance.md.

    Raises:
        ConformanceError: an applicable row is unaccounted for, or NOTES names an unknown
            row or uses an unknown status.
    """
    rows = parse_requirements(spec_text)
    known = {row.id for row in rows}
    problems: list[str] = []
    unknown_notes = sorted(set(NOTES) - known)
    if unknown_notes:
        problems.append(
            "NOTES in scripts/conformance_table.py names ids that are not in the checklist: "
            + ", ".join(unknown_notes)
        )
    bad_status = sorted(i for i, (status, _) in NOTES.items() if status not in NOTE_STATUSES)
    if bad_status:
        problems.append(
            f"NOTES entries must have status {' or '.join(map(repr, NOTE_STATUSES))}: "
            + ", ".join(bad_status)
        )
    unaccounted = [
        row.id for row in rows if row.sdk == "Y" and row.id not in cited and row.id not in NOTES
    ]
    if unaccounted:
        problems.append(
            "these SDK-applicable requirements have no test citing them and no NOTES entry "
            "in scripts/conformance_table.py (add a test naming the id, or a NOTES entry "
            "saying 'not yet' with the owning layer, or 'n/a' with the reason): "
            + ", ".join(unaccounted)
        )
    stale_notes = sorted(
        i for i, (status, _) in NOTES.items() if status == TESTED and i not in cited
    )
    if stale_notes:
        problems.append(
            "NOTES marks these ids 'tested' but no test cites them: " + ", ".join(stale_notes)
        )
    if problems:
        raise ConformanceError("\n".join(problems))

    lines: list[str] = []
    counts = dict.fromkeys(STATUS_ORDER, 0)
    applicable_counts = dict.fromkeys(STATUS_ORDER, 0)
    strong = dict.fromkeys(STATUS_ORDER, 0)
    for row in rows:
        citation = cited.get(row.id, Citation())
        note_status, note = NOTES.get(row.id, (None, ""))
        if citation.passing:
            status = TESTED
        elif citation.xfail:
            status = XFAIL
        elif note_status is not None and note_status != TESTED:
            status = note_status
        else:
            status = NA
            note = "editorial" if row.binds == "editors" else f"binds the {row.binds}"
        counts[status] += 1
        if row.sdk == "Y":
            applicable_counts[status] += 1
        if row.level.startswith("MUST"):
            strong[status] += 1
        lines.append(
            f"| {row.id} | {_cell(row.level)} | {row.sdk} | {status} | "
            f"{_tests_cell(citation)} | {_cell(note)} |"
        )

    summary = [
        "## Summary",
        "",
        "| status | rows | of which `SDK? = Y` | of which MUST / MUST NOT |",
        "|---|---:|---:|---:|",
    ]
    summary += [
        f"| {status} | {counts[status]} | {applicable_counts[status]} | {strong[status]} |"
        for status in STATUS_ORDER
    ]
    summary.append(
        f"| **total** | **{len(rows)}** | **{sum(applicable_counts.values())}** "
        f"| **{sum(strong.values())}** |"
    )
    summary += [
        "",
        "The table below lists every row in checklist order. `n/a` on an `SDK? = Y` row means "
        "the rule binds application content or client behaviour only (the note says which).",
    ]

    return (
        INTRO
        + "\n"
        + "\n".join(summary)
        + "\n\n"
        + CHOICES
        + "\n## Requirements\n\n"
        + HEADER
        + "\n".join(lines)
        + "\n"
    )


def generate(root: Path = ROOT, spec: Path | None = None, tests: Path | None = None) -> str:
    """Read the checklist and the tests under ``root`` and return the document text."""
    spec_path = spec or root / "docs" / "activity-requirements.md"
    tests_dir = tests or root / "tests"
    return build(spec_path.read_text(encoding="utf-8"), scan_tests(tests_dir, root))


def check(root: Path = ROOT, output: Path | None = None) -> str | None:
    """``None`` when the document is up to date, else a message with a diff excerpt."""
    target = output or root / "docs" / "conformance.md"
    expected = generate(root)
    current = target.read_text(encoding="utf-8") if target.exists() else ""
    if current == expected:
        return None
    diff = list(
        difflib.unified_diff(
            current.splitlines(),
            expected.splitlines(),
            fromfile=f"{target.name} (on disk)",
            tofile=f"{target.name} (generated)",
            lineterm="",
            n=0,
        )
    )
    shown = "\n".join(diff[:40]) + ("\n..." if len(diff) > 40 else "")
    return (
        f"{target.relative_to(root) if target.is_relative_to(root) else target} is stale; "
        f"run `python3 scripts/conformance_table.py` and commit the result.\n{shown}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the document is stale, write nothing"
    )
    parser.add_argument("--output", type=Path, default=OUTPUT, help="document to write/check")
    args = parser.parse_args(argv)
    try:
        if args.check:
            problem = check(ROOT, args.output)
            if problem:
                print(problem, file=sys.stderr)
                return 1
            print(f"{args.output.name} is up to date")
            return 0
        text = generate(ROOT)
    except ConformanceError as exc:
        print(f"conformance_table: {exc}", file=sys.stderr)
        return 2
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
