"""Voila for the classroom dashboard, locked to this computer: ``python -m tools.demo.server NOTEBOOK ...``.

Started by ``tools.demo.demo_app`` (``make demo``), never by hand. It is Voila's own application with three
guards that Voila's command line cannot switch on:

* **Host header** -- every request whose ``Host`` is not a loopback address or ``localhost`` is answered
  403 before any handler runs (static files included). A web page on another site that re-points its own
  host name at 127.0.0.1 (DNS rebinding) therefore cannot reach the app, even though the browser believes
  it talks to that site. Voila itself turns jupyter_server's own check off (``allow_remote_access=True``).
* **a cap on kernels** -- each page view runs the dashboard in a fresh kernel (about 200 MB); past
  ``--DemoVoila.max_kernels`` running kernels a new page view is answered 503 instead of starting one.
* **idle kernels are culled** -- configured by ``demo_app`` through jupyter_server's own kernel culler
  (``MappingKernelManager.cull_idle_timeout``): a kernel no browser is connected to is shut down after
  that many idle seconds, so page views that never connect (a script, a closed tab whose goodbye was lost)
  do not pile up.

The token (``--Voila.token``) and the loopback-only address (``--Voila.ip=127.0.0.1``) are Voila's own
options; ``demo_app`` passes them.
"""
import ipaddress
import re

import tornado.web
from traitlets import Integer
from voila.app import Voila

#: host names (not IP addresses) a request may name in its Host header
LOCAL_HOSTNAMES = ("localhost",)


def is_local_host(host_header):
    """True when an HTTP ``Host`` header names this computer: a loopback IP address or ``localhost``.

    Parameters
    ----------
    host_header : str -- e.g. ``"127.0.0.1:8866"``, ``"[::1]:8866"``, ``"localhost"``, ``"evil.example"``
    """
    match = re.fullmatch(r"(.*?)(:\d+)?", (host_header or "").strip().lower())
    host = match.group(1) if match else ""
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host in LOCAL_HOSTNAMES


class ForeignHostHandler(tornado.web.RequestHandler):
    """Answers every method with 403: the request named another host (see ``is_local_host``)."""

    def prepare(self):
        raise tornado.web.HTTPError(403, "Host %s is not this computer" % self.request.host)

    def write_error(self, status_code, **kwargs):
        self.finish(f"{status_code}: this app answers only requests to 127.0.0.1 or localhost\n")


class DemoVoila(Voila):
    """Voila with a Host-header check in front of every handler and a cap on running kernels."""

    name = "demo-voila"

    max_kernels = Integer(6, config=True, help="The most kernels (page views) that may run at once; "
                                               "a further page view is answered 503.")

    def init_settings(self):
        settings = super().init_settings()
        # jupyter_server's own check too, for its handlers (Voila turns it off)
        settings.update(allow_remote_access=False, local_hostnames=list(LOCAL_HOSTNAMES))
        self.voila_configuration.prelaunch_hook = self._refuse_when_full
        return settings

    def listen(self):
        find_handler = self.app.find_handler

        def local_only(request, **kwargs):
            if not is_local_host(request.host):
                self.log.warning("refused a request for foreign host %r (%s)", request.host, request.uri)
                return self.app.get_handler_delegate(request, ForeignHostHandler)
            return find_handler(request, **kwargs)

        self.app.find_handler = local_only
        super().listen()

    def _refuse_when_full(self, handler, notebook, cwd):
        running = len(self.kernel_manager.list_kernel_ids())
        if running >= self.max_kernels:
            self.log.warning("refused a page view: %d kernels already run (max_kernels)", running)
            raise tornado.web.HTTPError(503, "too many open dashboards (%d); close one and reload" % running)
        return notebook


main = DemoVoila.launch_instance

if __name__ == "__main__":
    main()
