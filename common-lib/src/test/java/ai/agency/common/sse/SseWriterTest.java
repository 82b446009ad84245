package ai.agency.common.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletResponse;
import tools.jackson.databind.json.JsonMapper;

class SseWriterTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void writesIdEventAndOneLineOfJsonDataPerEvent() throws Exception {
        MockHttpServletResponse response = new MockHttpServletResponse();
        SseWriter sse = new SseWriter(response, JSON);

        sse.send(1, "token", Map.of("text", "a\nb"));
        sse.event(2L, "end", Map.of());
        sse.comment("keep-alive");

        assertThat(response.getContentAsString(StandardCharsets.UTF_8))
                .isEqualTo("id: 1\nevent: token\ndata: {\"text\":\"a\\nb\"}\n\nid: 2\nevent: end\ndata: {}\n\n"
                        + ": keep-alive\n\n");
    }

    @Test
    void theStreamBeginsWithTheFirstEventOrWithStart() {
        MockHttpServletResponse response = new MockHttpServletResponse();
        response.setStatus(500);
        SseWriter sse = new SseWriter(response, JSON);
        assertThat(sse.started()).isFalse();
        assertThat(response.isCommitted()).isFalse();

        sse.start();

        assertThat(sse.started()).isTrue();
        assertThat(response.isCommitted()).isTrue();
        assertThat(response.getStatus()).isEqualTo(200);
        assertThat(response.getContentType()).startsWith("text/event-stream");
        assertThat(response.getHeader("Cache-Control")).isEqualTo("no-cache");
        assertThat(response.getHeader("X-Accel-Buffering")).isEqualTo("no");
    }

    @Test
    void aClientThatWentAwayIsATypedException() {
        MockHttpServletResponse gone = new MockHttpServletResponse() {
            @Override
            public ServletOutputStream getOutputStream() {
                return new ServletOutputStream() {
                    @Override
                    public void write(int b) throws IOException {
                        throw new IOException("Broken pipe");
                    }

                    @Override
                    public boolean isReady() {
                        return true;
                    }

                    @Override
                    public void setWriteListener(WriteListener listener) {}
                };
            }
        };

        assertThatThrownBy(() -> new SseWriter(gone, JSON).send(1, "token", Map.of()))
                .isInstanceOf(ClientGoneException.class)
                .hasRootCauseMessage("Broken pipe");
    }

    @Test
    void whatTheWriterWritesTheReaderReads() throws Exception {
        MockHttpServletResponse response = new MockHttpServletResponse();
        SseWriter sse = new SseWriter(response, JSON);
        sse.send(7, "run.step", Map.of("stepId", "s1"));
        sse.comment("keep-alive");
        sse.send(8, "run.succeeded", Map.of());

        SseReader reader = new SseReader(new ByteArrayInputStream(response.getContentAsByteArray()));

        assertThat(reader.next()).isEqualTo(new SseReader.Event("run.step", "7", "{\"stepId\":\"s1\"}"));
        assertThat(reader.next()).isEqualTo(new SseReader.Event("run.succeeded", "8", "{}"));
        assertThat(reader.next()).isNull();
    }
}
