package ai.agency.multimodal.safety;

/**
 * Text for regular expressions that stops them when their thread is interrupted: {@link java.util.regex.Matcher}
 * never checks for interruption itself, so a pattern that backtracks on hostile input would run on after its
 * analysis timed out. Every character read checks the flag and throws {@link InterruptedAnalysis}.
 */
public record InterruptibleText(CharSequence text) implements CharSequence {

    @Override
    public char charAt(int index) {
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedAnalysis();
        }
        return text.charAt(index);
    }

    @Override
    public int length() {
        return text.length();
    }

    @Override
    public CharSequence subSequence(int start, int end) {
        return new InterruptibleText(text.subSequence(start, end));
    }

    @Override
    public String toString() {
        return text.toString();
    }
}
