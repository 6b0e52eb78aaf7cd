"""Sending a file kept in the database back to the browser, the same way on every page."""

from __future__ import annotations

from io import BytesIO

from flask import Response, send_file

#: an uploaded file never runs as a page of the portal, whatever its content turns out to be
STORED_FILE_POLICY = "default-src 'none'; sandbox"


def send_stored_file(content: bytes, *, filename: str, mimetype: str, as_attachment: bool = True) -> Response:
    """The file as a download (or shown inline), under a sandboxing Content-Security-Policy.

    Content-Disposition carries the name as uploaded: a name outside ASCII gets an ASCII
    ``filename`` for old clients and the exact one as RFC 5987 ``filename*`` (UTF-8), so
    Spanish names (``Resolución 0456.pdf``) arrive intact and no name can break the header.
    """
    response = send_file(BytesIO(content), mimetype=mimetype, download_name=filename, as_attachment=as_attachment)
    response.headers["Content-Security-Policy"] = STORED_FILE_POLICY
    return response
