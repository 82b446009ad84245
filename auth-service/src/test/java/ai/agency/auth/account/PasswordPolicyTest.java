package ai.agency.auth.account;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PasswordPolicyTest {

    private final PasswordPolicy policy = new PasswordPolicy();

    @Test
    void refusesCommonRepeatedSequentialAndPersonalPasswords() {
        for (String weak : new String[] {
            "1234567890",
            "password123",
            "Password123!",
            "aaaaaaaaaa",
            "ababababab",
            "qwertyuiop",
            "0987654321",
            "abcdefghijk",
            "1234512345",
            "2024football",
            "iloveyou!!",
            "P@ssw0rd2024",
            "1q2w3e4r5t"
        }) {
            assertThat(policy.weakness(weak, "someone")).as(weak).isNotNull();
        }
        assertThat(policy.weakness("alice-secret-99", "alice")).contains("username");
    }

    @Test
    void acceptsPasswordsNobodyElseWouldChoose() {
        for (String strong : new String[] {
            "violet kettle on the moon", "correct horse battery staple", "password-1b7e0c9a-4e", "Tr0ub4dor&3xyz"
        }) {
            assertThat(policy.weakness(strong, "someone")).as(strong).isNull();
        }
    }
}
