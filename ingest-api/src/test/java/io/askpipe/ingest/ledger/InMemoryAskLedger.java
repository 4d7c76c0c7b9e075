package io.askpipe.ingest.ledger;

import io.askpipe.schemas.AskRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** The ledger's rules over a map, for route tests; {@code PostgresAskLedgerIT} checks the real one. */
public final class InMemoryAskLedger implements AskLedger {
    /** An entry; set aside, it has no status and its reason as its body. */
    private record Entry(String fingerprint, AskRequest ask, Instant expiresAt, Integer status, String body) {}

    private final Map<String, Entry> entries = new HashMap<>();
    /** A mark held back: its write, and the future its caller waits on. */
    private record HeldMark(Runnable write, CompletableFuture<Void> written) {}

    /** The marks held back ({@link #holdMarks}), or null while marks are written at once. */
    private List<HeldMark> held;

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
        return new Claim.InProgress(existing.ask().requestId());
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
    public synchronized CompletableFuture<Void> acceptedLater(
            AskRequest ask, String method, String path, int status, String body) {
        if (held == null) {
            accepted(ask, method, path, status, body);
            return CompletableFuture.completedFuture(null);
        }
        HeldMark mark = new HeldMark(() -> accepted(ask, method, path, status, body), new CompletableFuture<>());
        held.add(mark);
        return mark.written();
    }

    /** From now on, marks written later ({@link #acceptedLater}) wait until released or failed. */
    public synchronized void holdMarks() {
        held = new ArrayList<>();
    }

    /** Writes the held marks and completes their futures; marks are written at once again. */
    public void releaseHeldMarks() {
        for (HeldMark mark : takeHeld()) {
            mark.write().run();
            mark.written().complete(null);
        }
    }

    /** Fails the held marks, as a database that is gone would; marks are written at once again. */
    public void failHeldMarks() {
        for (HeldMark mark : takeHeld()) {
            mark.written().completeExceptionally(new IllegalStateException("the ledger is gone"));
        }
    }

    private synchronized List<HeldMark> takeHeld() {
        List<HeldMark> marks = held;
        held = null;
        return marks;
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
