package io.askpipe.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.askpipe.common.http.ProblemException;
import io.askpipe.common.http.ProblemType;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.AuthenticationHandler;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.jooq.exception.DataAccessException;

/**
 * The route handler that admits a request only with {@code Authorization: Bearer <API key>} of a
 * live key whose user is enabled, and records the {@link Caller} for the handlers after it. No key,
 * another scheme, an unknown or revoked key: 401 with a {@code WWW-Authenticate} challenge; a
 * disabled user: 403; the accounts database unreachable: 503 with {@code Retry-After}.
 *
 * <p>A value that is not exactly of the form of an issued key ({@code ak_} and 43 base64url
 * characters) is refused as an unknown key is, before any hash, cache or database lookup, so that
 * anonymous junk costs no query. What a key resolves to is cached for {@code cacheTtl} (keyed by
 * the secret's hash, never the secret), so a busy client costs no database query per request; a
 * revocation therefore takes effect within that time. Keys that were found and well-formed keys
 * that were not are cached apart, the unknown ones in a smaller cache of their own, so that a flood
 * of guessed keys evicts only other guesses and never pushes a real key out (each new guess still
 * costs one indexed query). The database lookup runs off the event loop, and a request whose lookup
 * has not answered within {@code lookupTimeout} gets a 503 with {@code Retry-After}, whatever the
 * database does. As Vert.x orders route handlers, it comes after a route's body handler.
 * Thread-safe.
 */
public final class BearerAuth implements AuthenticationHandler {
    private static final String CALLER = "askpipe.caller";
    private static final String SCHEME = "Bearer ";
    private static final Duration RETRY_AFTER = Duration.ofSeconds(2);

    /** How many keys that were found are remembered. */
    static final int KNOWN_KEYS = 100_000;
    /** How many well-formed keys that were not found are remembered, apart from the known ones. */
    static final int UNKNOWN_KEYS = 10_000;

    private final Function<String, Optional<Credential>> lookup;
    private final Duration lookupTimeout;
    /** Keys that were found, live or not, by the hash of their secret. */
    private final Cache<String, Credential> known;
    /** The hashes of well-formed secrets that were not found. */
    private final Cache<String, Boolean> unknown;

    BearerAuth(
            Function<String, Optional<Credential>> lookup,
            Duration cacheTtl,
            Duration lookupTimeout,
            int knownKeys,
            int unknownKeys) {
        this.lookup = lookup;
        this.lookupTimeout = lookupTimeout;
        this.known = Caffeine.newBuilder()
                .expireAfterWrite(cacheTtl)
                .maximumSize(cacheTtl.isZero() ? 0 : knownKeys)
                .build();
        this.unknown = Caffeine.newBuilder()
                .expireAfterWrite(cacheTtl)
                .maximumSize(cacheTtl.isZero() ? 0 : unknownKeys)
                .build();
    }

    /**
     * Authenticates against {@code accounts}, caching each answer for {@code cacheTtl} and waiting
     * at most {@code lookupTimeout} for one.
     */
    public static BearerAuth over(Accounts accounts, Duration cacheTtl, Duration lookupTimeout) {
        return new BearerAuth(accounts::lookup, cacheTtl, lookupTimeout, KNOWN_KEYS, UNKNOWN_KEYS);
    }

    /** Authenticates with {@code lookup}, a blocking secret-to-credential function. */
    public static BearerAuth create(Function<String, Optional<Credential>> lookup, Duration cacheTtl) {
        return new BearerAuth(lookup, cacheTtl, AuthSettings.DEFAULT_LOOKUP_TIMEOUT, KNOWN_KEYS, UNKNOWN_KEYS);
    }

    /** The caller this handler admitted for {@code ctx}. */
    public static Caller caller(RoutingContext ctx) {
        return Objects.requireNonNull(ctx.get(CALLER), "the route has no BearerAuth handler before it");
    }

    @Override
    public void handle(RoutingContext ctx) {
        String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null) {
            ctx.fail(ProblemException.unauthorized("Send an API key as 'Authorization: Bearer <key>'", false));
            return;
        }
        if (!header.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            ctx.fail(ProblemException.unauthorized("Authorization must use the Bearer scheme with an API key", false));
            return;
        }
        String secret = header.substring(SCHEME.length()).strip();
        if (!Accounts.wellFormed(secret)) {
            admit(ctx, Optional.empty());
            return;
        }
        String hash = Accounts.hash(secret);
        Credential cached = known.getIfPresent(hash);
        if (cached != null || unknown.getIfPresent(hash) != null) {
            admit(ctx, Optional.ofNullable(cached));
            return;
        }
        ctx.vertx()
                .executeBlocking(() -> lookup.apply(secret), false)
                .timeout(lookupTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .onSuccess(found -> {
                    if (found.isPresent()) {
                        known.put(hash, found.get());
                    } else {
                        unknown.put(hash, Boolean.TRUE);
                    }
                    admit(ctx, found);
                })
                .onFailure(error -> ctx.fail(
                        error instanceof DataAccessException || error instanceof TimeoutException
                                ? ProblemException.unavailable(
                                        "API keys cannot be checked right now; retry shortly", RETRY_AFTER, error)
                                : error));
    }

    private static void admit(RoutingContext ctx, Optional<Credential> found) {
        if (found.isEmpty()) {
            ctx.fail(ProblemException.unauthorized("The API key is not valid", true));
        } else if (found.get().key().revoked()) {
            ctx.fail(ProblemException.unauthorized("The API key was revoked", true));
        } else if (found.get().user().disabled()) {
            ctx.fail(new ProblemException(ProblemType.FORBIDDEN, "The user of this API key is disabled"));
        } else {
            ApiKey key = found.get().key();
            ctx.put(CALLER, new Caller(key.userId(), key.id()));
            ctx.next();
        }
    }
}
