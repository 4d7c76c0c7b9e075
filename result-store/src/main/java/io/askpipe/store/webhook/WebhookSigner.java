package io.askpipe.store.webhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signatures as the Standard Webhooks specification defines them: {@code v1,} and the base64
 * HMAC-SHA256, keyed with the bytes of a {@code whsec_} secret, of {@code id.timestamp.body}. With
 * several secrets (during a rotation) the header carries one signature per secret, separated by
 * spaces, and a receiver accepts the webhook if any of them verifies. Written here because it is
 * a dozen lines over the JDK's {@link Mac}; receivers use any Standard Webhooks library.
 */
public final class WebhookSigner {
    /** The prefix of every signing secret. */
    public static final String SECRET_PREFIX = "whsec_";

    private static final SecureRandom RANDOM = new SecureRandom();

    private WebhookSigner() {}

    /** A new secret: {@code whsec_} and 32 random bytes, base64. */
    static String newSecret() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return SECRET_PREFIX + Base64.getEncoder().encodeToString(key);
    }

    /** The {@code webhook-signature} header value for {@code body}, signed with every secret. */
    public static String signature(List<String> secrets, String webhookId, long timestampSeconds, String body) {
        byte[] content = (webhookId + "." + timestampSeconds + "." + body).getBytes(StandardCharsets.UTF_8);
        return secrets.stream().map(secret -> "v1," + hmac(secret, content)).collect(Collectors.joining(" "));
    }

    private static String hmac(String secret, byte[] content) {
        if (!secret.startsWith(SECRET_PREFIX)) {
            throw new IllegalArgumentException("a signing secret starts with " + SECRET_PREFIX);
        }
        byte[] key = Base64.getDecoder().decode(secret.substring(SECRET_PREFIX.length()));
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(content));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has HmacSHA256", e);
        }
    }
}
