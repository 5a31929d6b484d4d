"""OAI-PMH error conditions (protocol section 3.6)."""

from __future__ import annotations

from dataclasses import dataclass

BAD_ARGUMENT = "badArgument"
BAD_RESUMPTION_TOKEN = "badResumptionToken"
BAD_VERB = "badVerb"
CANNOT_DISSEMINATE_FORMAT = "cannotDisseminateFormat"
ID_DOES_NOT_EXIST = "idDoesNotExist"
NO_RECORDS_MATCH = "noRecordsMatch"
NO_METADATA_FORMATS = "noMetadataFormats"
NO_SET_HIERARCHY = "noSetHierarchy"

# On these two the request itself is unusable, so the response's <request> element must
# carry no attributes (protocol section 3.2).
UNECHOED = frozenset({BAD_ARGUMENT, BAD_VERB})


@dataclass(frozen=True, slots=True)
class OaiError:
    """One ``<error code="...">message</error>`` of a response."""

    code: str
    message: str
