package ai.agency.multimodal.safety;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.multimodal.Fixtures;
import org.junit.jupiter.api.Test;

class SnifferTest {

    @Test
    void recognisesFormatsFromTheirBytes() {
        assertThat(Sniffer.sniff(Fixtures.encode(Fixtures.redBlue(4, 4), "png")))
                .contains(Sniffer.Format.PNG);
        assertThat(Sniffer.sniff(Fixtures.encode(Fixtures.redBlue(4, 4), "jpg")))
                .contains(Sniffer.Format.JPEG);
        assertThat(Sniffer.sniff(Fixtures.encode(Fixtures.redBlue(4, 4), "bmp")))
                .contains(Sniffer.Format.BMP);
        assertThat(Sniffer.sniff(Fixtures.wav(8000, 0.01, 440, -6, 0))).contains(Sniffer.Format.WAV);
        assertThat(Sniffer.sniff(Fixtures.zip())).contains(Sniffer.Format.ZIP);
        assertThat(Sniffer.sniff("hello world".getBytes())).isEmpty();
        assertThat(Sniffer.sniff(new byte[0])).isEmpty();
    }
}
