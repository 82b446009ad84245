package ai.agency.common.sse;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SseReaderTest {

    private static SseReader reading(String stream) {
        return new SseReader(new ByteArrayInputStream(stream.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void joinsDataLinesAndNamesAnUnnamedEventMessage() throws Exception {
        SseReader reader = reading("data: one\ndata:two\n\n");

        assertThat(reader.next()).isEqualTo(new SseReader.Event("message", null, "one\ntwo"));
        assertThat(reader.next()).isNull();
    }

    @Test
    void skipsCommentsAndEmptyEventsAndKeepsNoIdAcrossThem() throws Exception {
        SseReader reader = reading(": keep-alive\n\nid: 3\n\nevent: end\n\n");

        assertThat(reader.next()).isEqualTo(new SseReader.Event("end", null, ""));
    }

    @Test
    void anEventWithoutItsBlankLineIsNotDelivered() throws Exception {
        assertThat(reading("id: 1\nevent: token\ndata: {}\n").next()).isNull();
    }
}
