package ai.agency.memory.search;

import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Cheap ranking signals added to the fused score of a search's candidates — no model, only what the candidate rows
 * already carry (measured on LoCoMo in docs/benchmarks/memory.md, "Stronger models and cheap signals"):
 *
 * <ul>
 *   <li><b>speaker</b>: a memory that starts with a speaker prefix ({@code "Caroline: …"}, at most three words) whose
 *       name the query mentions gets {@code + speakerWeight};
 *   <li><b>temporal</b>: when the query asks about time ({@code when}, {@code how long}, {@code what year…}), a
 *       memory that mentions a time (yesterday, last week, a month or weekday name, a year …) gets {@code +
 *       temporalWeight} (English words, like the text search's stemming);
 *   <li><b>date</b>: when the query names a day, month or year ({@link NamedPeriods}), a memory whose
 *       {@code validFrom} (the time it is about) falls in it, or up to a week after, gets {@code + dateWeight};
 *   <li><b>session neighbour</b>: a memory gets {@code neighbourWeight ×} how far its best neighbour — the memory
 *       before or after it in the same session, in time order — scored above the lowest candidate. What answers a
 *       question is often said just after what matches its words.
 * </ul>
 *
 * Each weight 0 turns its signal off.
 */
final class RankingSignals {

    /** Words that make a query ask about time (whole words, case-insensitive). */
    private static final Pattern ASKS_TIME = Pattern.compile(
            "(^\\s*(when|how long|what (year|month|day|date|time))\\b)|\\bwhen\\b", Pattern.CASE_INSENSITIVE);

    /** Words that date a memory; the same list as load-tests/locomo/offline_signals.py. */
    private static final Pattern MENTIONS_TIME = Pattern.compile(
            "\\b(yesterday|today|tonight|tomorrow|last|next|ago|week|weekend|month|year|years|months|weeks|days|"
                    + "recently|soon|january|february|march|april|may|june|july|august|september|october|november|"
                    + "december|monday|tuesday|wednesday|thursday|friday|saturday|sunday|\\d{4}|summer|winter|"
                    + "spring|autumn|fall)\\b",
            Pattern.CASE_INSENSITIVE);

    /** A speaker prefix: up to three words before a colon, at the start of the memory. */
    private static final Pattern SPEAKER =
            Pattern.compile("^\\s*(\\p{L}[\\p{L}\\p{N}'.-]*(?: \\p{L}[\\p{L}\\p{N}'.-]*){0,2})\\s*:");

    /** How many leading characters of a memory the features are read from (what the search statement returns). */
    static final int HEAD = 1000;

    /**
     * The features of a memory from its first {@link #HEAD} characters, the day it is about (its {@code validFrom},
     * UTC) and its session neighbours.
     */
    static Features features(String head, LocalDate about, @Nullable UUID previous, @Nullable UUID next) {
        var speaker = SPEAKER.matcher(head);
        boolean prefixed = speaker.find();
        String said = prefixed ? head.substring(speaker.end()) : head;
        return new Features(
                prefixed ? speaker.group(1) : null, MENTIONS_TIME.matcher(said).find(), about, previous, next);
    }

    /** What the signals need of one candidate. */
    record Features(
            @Nullable String speaker,
            boolean mentionsTime,
            LocalDate about,
            @Nullable UUID previous,
            @Nullable UUID next) {}

    private final double speakerWeight;
    private final double temporalWeight;
    private final double dateWeight;
    private final double neighbourWeight;

    RankingSignals(double speakerWeight, double temporalWeight, double dateWeight, double neighbourWeight) {
        this.speakerWeight = speakerWeight;
        this.temporalWeight = temporalWeight;
        this.dateWeight = dateWeight;
        this.neighbourWeight = neighbourWeight;
    }

    boolean off() {
        return speakerWeight == 0 && temporalWeight == 0 && dateWeight == 0 && neighbourWeight == 0;
    }

    /**
     * The candidates' scores with the signals added, in the same order, scaled back by the most the signals can add
     * (a fused score of 1 with every signal stays 1), so that scores stay within 0..1.
     *
     * @param ids the candidates' ids, in the order of {@code fused}
     * @param fused the fused scores (NaN for a candidate that does not count in this search)
     */
    double[] apply(String query, List<UUID> ids, double[] fused, Map<UUID, Features> features) {
        String lowered = " " + query.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}]+", " ") + " ";
        boolean asksTime = temporalWeight > 0 && ASKS_TIME.matcher(query).find();
        List<NamedPeriods.Period> periods = dateWeight > 0 ? NamedPeriods.in(query) : List.of();
        double[] scores = fused.clone();
        Map<UUID, Double> byId = new java.util.HashMap<>();
        double lowest = Double.MAX_VALUE;
        for (int i = 0; i < scores.length; i++) {
            if (Double.isNaN(scores[i])) {
                continue;
            }
            Features f = features.get(ids.get(i));
            if (f != null) {
                if (speakerWeight > 0 && f.speaker() != null && mentions(lowered, f.speaker())) {
                    scores[i] += speakerWeight;
                }
                if (asksTime && f.mentionsTime()) {
                    scores[i] += temporalWeight;
                }
                if (!periods.isEmpty() && periods.stream().anyMatch(p -> p.covers(f.about()))) {
                    scores[i] += dateWeight;
                }
            }
            byId.put(ids.get(i), scores[i]);
            lowest = Math.min(lowest, scores[i]);
        }
        double scale = (1 + speakerWeight + temporalWeight + dateWeight) * (1 + neighbourWeight);
        if (neighbourWeight == 0 || byId.isEmpty()) {
            return scaled(scores, scale);
        }
        double[] result = scores.clone();
        for (int i = 0; i < scores.length; i++) {
            Features f = features.get(ids.get(i));
            if (Double.isNaN(scores[i]) || f == null) {
                continue;
            }
            double best = Math.max(score(byId, f.previous(), lowest), score(byId, f.next(), lowest));
            result[i] += neighbourWeight * (best - lowest);
        }
        return scaled(result, scale);
    }

    private static double[] scaled(double[] scores, double scale) {
        for (int i = 0; i < scores.length; i++) {
            scores[i] = Math.min(1, scores[i] / scale); // rounding must not lift the best past 1
        }
        return scores;
    }

    private static double score(Map<UUID, Double> byId, @Nullable UUID id, double lowest) {
        Double score = id == null ? null : byId.get(id);
        return score == null ? lowest : score;
    }

    /** Whether the normalised query contains the speaker's name as whole words. */
    private static boolean mentions(String loweredQuery, String speaker) {
        String name = speaker.toLowerCase(Locale.ROOT)
                .replaceAll("[^\\p{L}\\p{N}]+", " ")
                .trim();
        return !name.isEmpty() && loweredQuery.contains(" " + name + " ");
    }
}
