package io.askpipe.router.backend.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.askpipe.schemas.Json;
import org.junit.jupiter.api.Test;

class PassthroughTest {

    private static ObjectNode object(String json) throws Exception {
        return (ObjectNode) Json.mapper().readTree(json);
    }

    @Test
    void addsExtrasMembersAtTheTopLevelAsTheyAre() throws Exception {
        ObjectNode body = object("{\"model\": \"m\", \"stream\": false}");

        Passthrough.merge(body, object("{\"keep_alive\": \"10m\", \"think\": {\"level\": 1}, \"stream\": false}"));

        assertThat(body)
                .isEqualTo(object(
                        "{\"model\": \"m\", \"stream\": false, \"keep_alive\": \"10m\", \"think\": {\"level\": 1}}"));
    }

    @Test
    void mergesObjectsMemberByMember() throws Exception {
        ObjectNode body = object("{\"options\": {\"temperature\": 0.2}}");

        Passthrough.merge(body, object("{\"options\": {\"top_k\": 20, \"temperature\": 0.2}}"));

        assertThat(body).isEqualTo(object("{\"options\": {\"temperature\": 0.2, \"top_k\": 20}}"));
    }

    @Test
    void withoutExtraTheBodyStaysAsItIs() throws Exception {
        ObjectNode body = object("{\"model\": \"m\"}");

        Passthrough.merge(body, null);

        assertThat(body).isEqualTo(object("{\"model\": \"m\"}"));
    }

    @Test
    void refusesAMemberThatConflictsWithTheBodyNamingIt() throws Exception {
        ObjectNode body = object("{\"options\": {\"temperature\": 0.2}, \"format\": \"json\"}");

        assertThatThrownBy(() -> Passthrough.merge(body, object("{\"options\": {\"temperature\": 0.9}}")))
                .isInstanceOfSatisfying(UnsupportedField.class, e -> {
                    assertThat(e.pointer()).isEqualTo("/extra/options/temperature");
                    assertThat(e.reason()).contains("0.2");
                });
        assertThatThrownBy(() -> Passthrough.merge(body, object("{\"format\": {\"type\": \"object\"}}")))
                .isInstanceOfSatisfying(
                        UnsupportedField.class, e -> assertThat(e.pointer()).isEqualTo("/extra/format"));
        assertThatThrownBy(() -> Passthrough.merge(object("{\"a/b~c\": 1}"), object("{\"a/b~c\": 2}")))
                .isInstanceOfSatisfying(
                        UnsupportedField.class, e -> assertThat(e.pointer()).isEqualTo("/extra/a~1b~0c"));
    }
}
