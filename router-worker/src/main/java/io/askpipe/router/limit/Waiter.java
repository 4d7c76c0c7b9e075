package io.askpipe.router.limit;

import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.Priority;

/** Who waits for a permit, as the fair queue orders them: the ask's priority and its user. */
public record Waiter(Priority priority, String user) {
    /** The waiter of {@code request}. */
    public static Waiter of(AskRequest request) {
        return new Waiter(request.priority(), request.userId());
    }
}
