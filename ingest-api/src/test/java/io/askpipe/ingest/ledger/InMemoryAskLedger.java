package io.askpipe.ingest.ledger;

import io.askpipe.schemas.AskRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/** The ledger's rules over a map, for route tests; {@code PostgresAskLedgerIT} checks the real one. */
public final class InMemoryAskLedger implements AskLedger {
    /** An entry; set aside, it has no status and its reason as its body. */
    private record Entry(String fingerprint, AskRequest ask, Instant expiresAt, Integer status, String body) {}

    private final Map<String, Entry> entries = new HashMap<>();

    private static String scope(AskRequest ask, String method, String path) {
        return ask.userId() + " " + method + " " + path + " " + ask.idempotencyKey();
    }

    @Override
    public synchronized Claim claim(
            AskRequest ask, String method, String path, String fingerprint, Instant now, Instant expiresAt) {
        Entry existing = entries.get(scope(ask, method, path));
        if (existing == null || !existing.expiresAt().isAfter(now)) {
            entries.put(scope(ask, method, path), new Entry(fingerprint, ask, expiresAt, null, null));
            return new Claim.Won();
        }
        if (!existing.fingerprint().equals(fingerprint)) {
            return new Claim.Mismatch();
        }
        if (existing.status() == null && existing.body() != null) {
            return new Claim.SetAside(existing.body(), existing.ask().requestId());
        }
        if (existing.status() != null) {
            return new Claim.Replay(
                    existing.status(), existing.body(), existing.ask().requestId());
        }
        return new Claim.InProgress();
    }

    @Override
    public synchronized java.util.Optional<AskRequest> ask(String requestId, Instant now) {
        return entries.values().stream()
                .filter(entry -> entry.ask().requestId().equals(requestId))
                .filter(entry -> entry.expiresAt().isAfter(now))
                .filter(entry -> entry.status() != null || entry.body() == null) // not set aside
                .map(Entry::ask)
                .findFirst();
    }

    @Override
    public synchronized void accepted(AskRequest ask, String method, String path, int status, String body) {
        entries.computeIfPresent(
                scope(ask, method, path), (k, e) -> new Entry(e.fingerprint(), e.ask(), e.expiresAt(), status, body));
    }

    @Override
    public synchronized void setAside(AskRequest ask, String method, String path, String reason) {
        entries.computeIfPresent(
                scope(ask, method, path), (k, e) -> new Entry(e.fingerprint(), e.ask(), e.expiresAt(), null, reason));
    }

    @Override
    public synchronized void release(AskRequest ask, String method, String path) {
        entries.computeIfPresent(
                scope(ask, method, path),
                (k, e) -> e.ask().requestId().equals(ask.requestId()) && e.status() == null && e.body() == null
                        ? null
                        : e);
    }

    @Override
    public Recovered unpublished(Instant claimedBefore, int limit, Duration lease, Recovery recovery) {
        throw new UnsupportedOperationException("recovery is tested against PostgreSQL");
    }

    @Override
    public int purgeExpired(Instant now) {
        throw new UnsupportedOperationException("expiry is tested against PostgreSQL");
    }
}
