package ai.agency.tool.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AddressGuardParseTest {

    @Test
    void aHexPartOfMoreThanEightDigitsIsNotANumericAddress() {
        // used to unbox a null inside a ternary: an NPE instead of "not a numeric IPv4 address"
        assertThat(AddressGuard.parseNumericIpv4("0x123456789")).isEmpty();
        assertThat(AddressGuard.parseNumericIpv4("0x7f.0x123456789.0.1")).isEmpty();
    }

    @Test
    void hexAndEmptyHexPartsStillParse() {
        assertThat(AddressGuard.parseNumericIpv4("0x7f000001"))
                .hasValueSatisfying(a -> assertThat(a).containsExactly(127, 0, 0, 1));
        assertThat(AddressGuard.parseNumericIpv4("0x.0.0.1"))
                .hasValueSatisfying(a -> assertThat(a).containsExactly(0, 0, 0, 1));
    }
}
