"""The reference central platform: the station API that pilots, demos and tests run against.

It implements docs/sync-protocol.md. Map of the package:

- `api`: the FastAPI app factory and thin route handlers; `errors`: the §2 error bodies.
- `auth`: HMAC request signing (§4); `activation`: enrolment codes and devices (§3).
- `intake` and `filing_checks`: filing batches (§6); `receipts`: 受理号.
- `attachments` and `blobstore`: resumable, content-addressed uploads (§5).
- `feed`, `reference`, `heartbeat`: lookup, status feed, reference data, heartbeats (§6-§8).
- `evoucher`: e-voucher tokens (§9); `operators` and `passwords`: operator log-in (§10).
- `statuses`: filing statuses and review moves; `catalogs`: installed catalog versions.
- `admin` and `cli`: `yibao central ...`; `db` and `models`: the database.
"""
