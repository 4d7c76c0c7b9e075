package io.askpipe.store.join;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class InternalTopicsTest {

    @Test
    void theInternalTopicsAreTheRepartitionTopicAndChangelogsOfTheApplication() {
        String app = "askpipe-result-store";

        assertThat(InternalTopics.isInternal(app + "-requests-by-id-changelog", app))
                .isTrue();
        assertThat(InternalTopics.isInternal(app + "-key-by-request-id-repartition", app))
                .isTrue();
        assertThat(InternalTopics.isInternal("ask.requests", app)).isFalse();
        assertThat(InternalTopics.isInternal(app + "-writer", app)).isFalse();
        assertThat(InternalTopics.isInternal("other-requests-by-id-changelog", app))
                .isFalse();
    }
}
