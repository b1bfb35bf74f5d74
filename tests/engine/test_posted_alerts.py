"""Alerts posted to Alertmanager's API as `GET /api/v2/alerts` lists them: fingerprints as Prometheus computes
them, resolved ones left out, silenced ones shown on request."""

from __future__ import annotations

from tocsin.engine.posted_alerts import PostedAlert, PostedAlerts, fingerprint
from tocsin.silences.filters import parse_filter


def test_fingerprints_are_prometheus_label_signatures() -> None:
    # prometheus/common model/signature_test.go
    assert int(fingerprint({"name": "garland, briggs", "fear": "love is not enough"}), 16) == 5799056148416392346
    assert fingerprint({}) == "cbf29ce484222325"


def _alert(host: str, ends_at: int | None = None) -> PostedAlert:
    labels = {"alertname": "DiskFull", "host": host}
    return PostedAlert(labels, {"summary": "full"}, 1, ends_at, "", 5, "prometheus", f"DiskFull{{host={host}}}")


def test_the_listing_filters_and_marks_silenced_alerts() -> None:
    posted = PostedAlerts()
    for alert in (_alert("db3"), _alert("web1"), _alert("gone", ends_at=10)):
        posted.put(alert, 5)

    def silenced_by(alert: PostedAlert) -> str:
        return "s1" if alert.labels["host"] == "db3" else ""

    def hosts(**kwargs: bool) -> list[tuple[str, str]]:
        listed = posted.listing(20, [], silenced_by, **kwargs)
        return sorted((a["labels"]["host"], a["status"]["state"]) for a in listed)

    assert hosts() == [("db3", "suppressed"), ("web1", "active")]  # "gone" resolved at 10
    assert hosts(show_silenced=False) == [("web1", "active")]
    assert hosts(show_active=False) == [("db3", "suppressed")]
    (only,) = posted.listing(20, [parse_filter("host=~web.*")], silenced_by)
    assert (only["labels"]["host"], only["endsAt"], only["fingerprint"]) == (
        "web1",
        "0001-01-01T00:00:00.000Z",
        fingerprint({"alertname": "DiskFull", "host": "web1"}),
    )
