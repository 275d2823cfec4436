"""A desk that keeps working when the server goes away: its own file (snapshot + journal), the
link to the server with a client-side deadline, the upload of the journal and reconciliation.

Service level: used by the CLI and the TUI, never importing either."""

from eventdesk.services.desk import LinkStatus, start_desk
from eventdesk.services.offline.desk import OfflineDesk, open_offline_copy
from eventdesk.services.offline.link import DEADLINE_S, ServerLink, ServerUnreachable
from eventdesk.services.offline.reconcile import Conflict, conflicts

__all__ = [
    "DEADLINE_S",
    "Conflict",
    "LinkStatus",
    "OfflineDesk",
    "ServerLink",
    "ServerUnreachable",
    "conflicts",
    "open_offline_copy",
    "start_desk",
]
