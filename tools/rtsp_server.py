"""A tiny RTSP server on loopback for tests and manual checks (Debian's gir1.2-gst-rtsp-server-1.0).

Serves an H.264 MP4 file (no re-encoding) at rtsp://127.0.0.1:PORT/MOUNT in real time, one session
per client. Prints `READY <url>` on stdout once it listens; stops cleanly on SIGTERM/SIGINT, which
drops every connection (a pulled cable, as far as a client can tell).

    /usr/bin/python3 tools/rtsp_server.py --file samples/city-720p.mp4 [--port 0] [--mount /cam]
        [--stall-after SECONDS]   # then stop sending data but keep the connection open (a hung camera)
"""
from __future__ import annotations

import argparse
import os
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--file", required=True, help="H.264 MP4 file to serve")
    ap.add_argument("--port", type=int, default=0, help="TCP port (0: any free one)")
    ap.add_argument("--mount", default="/cam")
    ap.add_argument("--stall-after", type=float, default=0, help="stop sending after this many seconds")
    args = ap.parse_args()
    if not os.path.isfile(args.file):
        sys.exit(f"rtsp_server: no such file: {args.file}")

    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(args.port))
    factory = GstRtspServer.RTSPMediaFactory()
    location = os.path.abspath(args.file).replace('"', '\\"')
    factory.set_launch(
        f'( filesrc location="{location}" ! qtdemux ! h264parse config-interval=-1 ! valve name=valve ! '
        "rtph264pay name=pay0 pt=96 config-interval=-1 )"
    )
    factory.set_shared(False)
    loop = GLib.MainLoop()

    def on_configure(_factory, media):
        if args.stall_after > 0:
            valve = media.get_element().get_by_name("valve")

            def stall():
                print("STALLED", flush=True)
                valve.set_property("drop", True)
                return False

            GLib.timeout_add(int(args.stall_after * 1000), stall)

    factory.connect("media-configure", on_configure)
    server.get_mount_points().add_factory(args.mount, factory)
    if server.attach(None) == 0:
        sys.exit(f"rtsp_server: cannot listen on 127.0.0.1:{args.port}")

    def quit_(*_):
        loop.quit()
        return False

    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, quit_)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, quit_)
    print(f"READY rtsp://127.0.0.1:{server.get_bound_port()}{args.mount}", flush=True)
    loop.run()


if __name__ == "__main__":
    main()
