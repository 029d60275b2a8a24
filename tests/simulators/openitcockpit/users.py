"""The API user as the client can read it: its time zone (`/angular/user_timezone.json`) and its profile with the
date format (`/profile/edit.json`). The user is fixed: John Doe, root privileges, the `--timezone` given."""

from __future__ import annotations

from datetime import UTC, datetime

from werkzeug.wrappers import Response

from .config import OITC_VERSION
from .listing import DEFAULT_LIMIT
from .protocol import answer, route, state
from .state import API_USER_ID
from .usertime import DATEFORMAT, iso


@route("/angular/user_timezone")
def user_timezone() -> Response:
    """The recorded (newer) shape; `user_time_to_server_offset` is the offset *now* (the server's zone is UTC)."""
    st = state()
    now = st.now()
    offset = st.user_time.offset(now)
    zone = st.config.timezone
    return answer(
        {
            "timezone": {
                "user_timezone": zone,
                "user_time_to_server_offset": offset,
                "user_time_to_browser_offset": 0,
                "browser_timezone": zone,
                "user_offset": offset,
                "server_time_utc": now,
                "server_time": datetime.fromtimestamp(now, UTC).strftime("%B %d, %Y %H:%M:%S"),
                "server_timezone_offset": 0,
                "server_time_iso": iso(now),
                "server_timezone": "UTC",
            }
        }
    )


@route("/profile/edit")
def profile() -> Response:
    st = state()
    user = st.users[API_USER_ID]
    return answer(
        {
            "user": {
                "id": user["id"],
                "usergroup_id": 1,
                "email": user["email"],
                "firstname": user["firstname"],
                "lastname": user["lastname"],
                "position": None,
                "company": None,
                "department": None,
                "phone": None,
                "timezone": st.config.timezone,
                "i18n": "en_US",
                "dateformat": DATEFORMAT,
                "samaccountname": None,
                "ldap_dn": None,
                "showstatsinmenu": 0,
                "is_active": 1,
                "dashboard_tab_rotation": 0,
                "paginatorlength": DEFAULT_LIMIT,
                "recursive_browser": 0,
                "image": None,
                "is_oauth": False,
            },
            "isLdapUser": False,
            "maxUploadLimit": {"value": 2, "unit": "M", "string": "2M"},
            "newDesktopApi": True,
            "oitcVersion": OITC_VERSION,
            "hasRootPrivileges": True,
        }
    )
