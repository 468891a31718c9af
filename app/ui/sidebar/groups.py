"""Date groups of the sidebar: Today, Yesterday, Previous 7 days, This month, then months."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QCoreApplication, QDate, QLocale


def date_group(ts: float, now: float) -> str:
    """The heading a conversation last active at `ts` goes under, seen at `now` (local time).

    Days are calendar days, not 24-hour spans: a chat from 23:50 yesterday is "Yesterday"
    at 00:10 today. A time in the future (a clock that was ahead) counts as today.
    """
    today = dt.datetime.fromtimestamp(now).date()
    day = dt.datetime.fromtimestamp(ts).date()
    translate = QCoreApplication.translate
    if day >= today:
        return translate("ConversationList", "Today")
    if day == today - dt.timedelta(days=1):
        return translate("ConversationList", "Yesterday")
    if day >= today - dt.timedelta(days=7):
        return translate("ConversationList", "Previous 7 days")
    if (day.year, day.month) == (today.year, today.month):
        return translate("ConversationList", "This month")
    return QLocale().toString(QDate(day.year, day.month, 1), "MMMM yyyy")
