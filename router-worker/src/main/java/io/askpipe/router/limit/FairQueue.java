package io.askpipe.router.limit;

import io.askpipe.schemas.Priority;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The asks of one worker waiting for one backend's permits, in the order they are to be served:
 * interactive before batch, with at least one grant in {@link Priority#BATCH_ONE_IN} going to a
 * waiting batch ask, and round-robin across users within a priority, so that one user's burst does
 * not hold back another user's asks. Only the {@linkplain #awaitHead head} asks the shared limits;
 * the others sleep until it is their turn.
 *
 * <p>Thread-safe: every waiting ask's thread calls in; waits are interruptible, bounded by the
 * ask's own deadline, and ended by {@link #close()}.
 */
final class FairQueue {
    /** One waiting ask. */
    static final class Ticket {
        private final Priority priority;
        private final String user;
        private boolean queued = true;

        private Ticket(Priority priority, String user) {
            this.priority = priority;
            this.user = user;
        }

        Priority priority() {
            return priority;
        }

        String user() {
            return user;
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Per priority, per user in round-robin order (the next user first), their tickets in arrival order. */
    private final Map<Priority, LinkedHashMap<String, Deque<Ticket>>> waiting = new EnumMap<>(Priority.class);
    /** Grants in a row that went to interactive asks while a batch ask waited, or might have. */
    private int sinceBatch;

    private int size;
    /** Whether the worker stopped: every wait ends. */
    private boolean closed;

    FairQueue() {
        for (Priority priority : Priority.values()) {
            waiting.put(priority, new LinkedHashMap<>());
        }
    }

    /** Queues an ask of {@code user} at {@code priority}. */
    Ticket enter(Priority priority, String user) {
        Ticket ticket = new Ticket(priority, user);
        lock.lock();
        try {
            waiting.get(priority).computeIfAbsent(user, u -> new ArrayDeque<>()).addLast(ticket);
            size++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        return ticket;
    }

    /**
     * Waits until {@code ticket} is at the head of the queue. Returns false, the ticket left, when
     * {@code untilNanos} ({@link System#nanoTime()}; empty: no limit) comes first.
     */
    boolean awaitHead(Ticket ticket, Optional<Long> untilNanos) throws InterruptedException {
        lock.lock();
        try {
            while (head().orElse(null) != ticket) {
                if (!await(untilNanos, Long.MAX_VALUE)) {
                    remove(ticket, false);
                    return false;
                }
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sleeps, as the head, for {@code nanos} or until the queue changes (an ask arrives or leaves, a
     * permit comes back: {@link #wake()}). Returns false when {@code untilNanos} came first.
     */
    boolean sleep(long nanos, Optional<Long> untilNanos) throws InterruptedException {
        lock.lock();
        try {
            return await(untilNanos, nanos);
        } finally {
            lock.unlock();
        }
    }

    /** Takes {@code ticket} out as served: the turn passes to the next ask. */
    void granted(Ticket ticket) {
        lock.lock();
        try {
            if (ticket.priority == Priority.BATCH) {
                sinceBatch = 0;
            } else {
                sinceBatch++;
            }
            remove(ticket, true);
        } finally {
            lock.unlock();
        }
    }

    /** Takes {@code ticket} out unserved (its wait was interrupted, or failed); nothing when already out. */
    void leave(Ticket ticket) {
        lock.lock();
        try {
            remove(ticket, false);
        } finally {
            lock.unlock();
        }
    }

    /** Wakes the head: a permit may be free again. */
    void wake() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Asks waiting. */
    int size() {
        lock.lock();
        try {
            return size;
        } finally {
            lock.unlock();
        }
    }

    /** The ask to serve next, if any ask waits. */
    Optional<Ticket> head() {
        lock.lock();
        try {
            LinkedHashMap<String, Deque<Ticket>> interactive = waiting.get(Priority.INTERACTIVE);
            LinkedHashMap<String, Deque<Ticket>> batch = waiting.get(Priority.BATCH);
            boolean batchTurn = !batch.isEmpty() && (interactive.isEmpty() || sinceBatch >= Priority.BATCH_ONE_IN - 1);
            LinkedHashMap<String, Deque<Ticket>> from = batchTurn ? batch : interactive;
            return from.values().stream().findFirst().map(Deque::peekFirst);
        } finally {
            lock.unlock();
        }
    }

    /** Ends every wait, now and later, with an {@link InterruptedException}: the worker stopped. */
    void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Whether time is left: waits up to {@code maxNanos}, or to {@code untilNanos} if sooner. */
    private boolean await(Optional<Long> untilNanos, long maxNanos) throws InterruptedException {
        if (closed) {
            throw new InterruptedException("the router stopped while the ask waited for a permit");
        }
        long wait = maxNanos;
        if (untilNanos.isPresent()) {
            long left = untilNanos.get() - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait = Math.min(wait, left);
        }
        if (wait == Long.MAX_VALUE) {
            changed.await();
        } else {
            changed.awaitNanos(wait);
        }
        if (closed) {
            throw new InterruptedException("the router stopped while the ask waited for a permit");
        }
        return untilNanos.isEmpty() || untilNanos.get() - System.nanoTime() > 0;
    }

    /** Takes {@code ticket} out; a user {@code served} goes to the back of its priority's round. */
    private void remove(Ticket ticket, boolean served) {
        if (!ticket.queued) {
            return;
        }
        ticket.queued = false;
        LinkedHashMap<String, Deque<Ticket>> users = waiting.get(ticket.priority);
        Deque<Ticket> tickets = users.get(ticket.user);
        tickets.remove(ticket);
        if (tickets.isEmpty()) {
            users.remove(ticket.user);
        } else if (served) {
            users.remove(ticket.user);
            users.put(ticket.user, tickets);
        }
        size--;
        changed.signalAll();
    }
}
