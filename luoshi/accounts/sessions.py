"""The session engine: Django's database sessions, written at most once a minute on reads.

The 30 minutes of SESSION_COOKIE_AGE are idle time. Saving the session on every request (Django's
SESSION_SAVE_EVERY_REQUEST) keeps them so, but makes every page view a write — on SQLite it takes
the database's write lock. Here a request that changed nothing saves the session only when its
stored expiry is at least `REFRESH_EVERY` behind the one a save would give it now, so an active
session still ends between 29 and 30 minutes after its last request
(`accounts.middleware.SessionMiddleware` asks `refresh_due()` after each response).
"""

from datetime import datetime, timedelta

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore


class SessionStore(DatabaseSessionStore):
    REFRESH_EVERY = timedelta(minutes=1)

    stored_expiry: datetime | None = None

    def _get_session_from_db(self):
        row = super()._get_session_from_db()
        self.stored_expiry = row.expire_date if row is not None else None
        return row

    def refresh_due(self) -> bool:
        """True when this loaded session should be saved to push its idle expiry forward."""
        if self.stored_expiry is None or self.session_key is None:
            return False  # never loaded from the database (new, or not used by this request)
        return self.get_expiry_date() - self.stored_expiry >= self.REFRESH_EVERY

    def save(self, must_create: bool = False) -> None:
        super().save(must_create=must_create)
        self.stored_expiry = self.get_expiry_date()
