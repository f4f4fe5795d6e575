"""Gunicorn settings for `make serve` (production serving); gunicorn reads this file by default.

Each worker builds the app itself after the fork (no preload), so no database connection, open
file or index searcher is ever shared between processes; `post_worker_init` then opens the
worker's searcher and catches up with the change log before the first visitor waits for it.
The address and the number of workers come from the command line: `make serve` passes PORT and
WORKERS, the tests their own.
"""

wsgi_app = "wsgi:app"
worker_class = "sync"
# A request never legitimately takes long; a stuck worker is replaced.
timeout = 30
graceful_timeout = 20
accesslog = "-"
errorlog = "-"
# gunicorn's control socket lives at one path per user: two servers on a machine (`make serve`
# and `make load`, or two test servers) would share it. Nothing here uses it.
control_socket_disable = True


def post_worker_init(worker):
    """Warm this worker's index replica: open the searcher and apply pending change rows."""
    from catalogue.indexing import warm_up

    app = worker.wsgi
    if hasattr(app, "app_context"):  # not gunicorn's stand-in app for a failed import
        with app.app_context():
            warm_up()
