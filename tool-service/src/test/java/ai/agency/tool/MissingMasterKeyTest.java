package ai.agency.tool;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.agency.common.testsupport.UsageOwnerStub;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.core.env.Environment;

/** HTTP tools' secrets and MCP servers' headers are sealed with the master key: no key, no tool-service. */
class MissingMasterKeyTest extends ToolApiTest {

    @Autowired
    Environment environment;

    @Test
    void aToolServiceWithoutMasterKeyRefusesToStart() {
        // before: it sealed tool secrets with the constant development key, which a database reader can undo
        assertThatThrownBy(() -> new SpringApplicationBuilder(ToolServiceApplication.class)
                        .run(
                                "--server.port=0",
                                "--spring.datasource.url=" + environment.getProperty("spring.datasource.url"),
                                "--spring.datasource.username=" + environment.getProperty("spring.datasource.username"),
                                "--spring.datasource.password=" + environment.getProperty("spring.datasource.password"),
                                "--agency.usage.ingest-secret=" + UsageOwnerStub.SECRET,
                                "--agency.tool.master-key=")
                        .close())
                .hasStackTraceContaining("AGENCY_MASTER_KEY is not set")
                .hasStackTraceContaining("a tool secret");
    }
}
