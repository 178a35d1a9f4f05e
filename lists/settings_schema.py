"""A mailing list's settings (GetList / UpdateList, the list page, the list's list.settings file).

Names as CommuniGate's LIST module spells them. Keys the catalogue does not name are kept and
returned, as CommuniGate keeps a list's custom settings."""

from __future__ import annotations

from cgadmin.catalogue import NO_EFFECT, Catalogue, Kind, Level, SettingDef

SUBSCRIBE = "Subscribe"
POSTINGS = "Postings"
CHARSET = "Charset"
SIZE_LIMIT = "SizeLimit"
REAL_NAME = "RealName"

# Who may post (the list's posting policy); a subscriber's own posting mode (SetPostingMode) comes
# first: prohibited never, special always, moderateAll or N moderated are held for the owner.
FROM_ANYBODY = "from anybody"
FROM_SUBSCRIBERS = "from subscribers"
MODERATED = "moderated"
FROM_OWNER = "from owner only"
POSTING_POLICIES = (FROM_ANYBODY, FROM_SUBSCRIBERS, MODERATED, FROM_OWNER)
SUBSCRIBE_POLICIES = ("anybody", "moderated", "this domain only", "locals only", "nobody")

GROUP = "Mailing List"

LIST = Catalogue(
    "mailing list",
    [
        SettingDef(REAL_NAME, Kind.STRING, "", GROUP, "List Title", Level.BASIC, right="CanAccessLists",
                   max_length=255, help="The list's real name, shown to subscribers."),
        SettingDef(SUBSCRIBE, Kind.ENUM, "anybody", GROUP, "Subscription", Level.BASIC, right="CanAccessLists",
                   choices=SUBSCRIBE_POLICIES, help="Who may subscribe by sending a request."),
        SettingDef(POSTINGS, Kind.ENUM, FROM_SUBSCRIBERS, GROUP, "Accept Postings", Level.BASIC,
                   right="CanAccessLists", choices=POSTING_POLICIES,
                   help="From anybody, from subscribers only (others are refused), moderated (held for "
                        "the owner), or from the owner only."),
        SettingDef(CHARSET, Kind.STRING, "utf-8", GROUP, "Charset", Level.BASIC, right="CanAccessLists",
                   max_length=64, help="The character set of the list's own messages."),
        SettingDef(SIZE_LIMIT, Kind.SIZE, "unlimited", GROUP, "Message Size Limit", Level.BASIC,
                   right="CanAccessLists", help="Larger postings are refused (e.g. 1M, or unlimited)."),
    ],
    allow_custom=True,
    custom_right="CanAccessLists",
    # What the list's delivery does with each; the others are marked until code reads them
    # (tests/cgadmin/test_catalogue_effects.py fails once code reads a marked one).
    effects={
        POSTINGS: "who may post: others are refused, or held for the owner when moderated (queue)",
        SIZE_LIMIT: "larger postings are refused (queue)",
        REAL_NAME: "the real name of the list's record in its domain's Central Directory unit",
        **dict.fromkeys((SUBSCRIBE, CHARSET), NO_EFFECT),
    },
)
