package io.fleetwatch.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.junit.jupiter.api.Test;

/** TokenStore on a real database: create, use, list, revoke; names are unique, digests the only key. */
class TokenStoreIT {
    static byte[] sha256(String s) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void tokensAreFoundByDigestUntilRevoked() throws Exception {
        try (StoreDatabase db = new StoreDatabase("token-store-it")) {
            TokenStore tokens = new TokenStore(db.jdbi);
            assertThat(tokens.anyActive()).isFalse();
            tokens.create(new TokenStore.Holder("ci", "viewer"), sha256("secret-1"));
            assertThat(tokens.anyActive()).isTrue();
            assertThatThrownBy(() -> tokens.create(new TokenStore.Holder("ci", "admin"), sha256("secret-2")))
                    .hasRootCauseInstanceOf(java.sql.SQLException.class);
            assertThat(tokens.use(sha256("secret-1"))).contains(new TokenStore.Holder("ci", "viewer"));
            assertThat(tokens.use(sha256("secret-2"))).isEmpty();
            assertThat(tokens.list()).singleElement().satisfies(t -> assertThat(t.lastUsedAt()).isNotNull());
            assertThat(tokens.revoke("ci")).isTrue();
            assertThat(tokens.revoke("ci")).isFalse();
            assertThat(tokens.use(sha256("secret-1"))).isEmpty();
            assertThat(tokens.anyActive()).isFalse();
            assertThatThrownBy(() -> new TokenStore.Holder("x", "root")).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
