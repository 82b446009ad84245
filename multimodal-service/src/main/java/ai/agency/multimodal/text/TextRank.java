package ai.agency.multimodal.text;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Keywords by frequency of content words, and an extractive summary by TextRank (Mihalcea and Tarau, 2004):
 * sentences are nodes, edges weigh the content words two sentences share divided by the sum of the logarithms of
 * their lengths, PageRank (d = 0.85) ranks them, and the best ones are returned in text order.
 */
final class TextRank {

    private static final double DAMPING = 0.85;

    private TextRank() {}

    static List<String> keywords(List<List<String>> contentWordsBySentence, int limit) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (List<String> sentence : contentWordsBySentence) {
            for (String word : sentence) {
                counts.merge(word, 1, Integer::sum);
            }
        }
        List<String> order = new ArrayList<>(counts.keySet());
        return counts.entrySet().stream()
                .sorted(Comparator.<Map.Entry<String, Integer>>comparingInt(Map.Entry::getValue)
                        .reversed()
                        .thenComparingInt(e -> order.indexOf(e.getKey())))
                .limit(limit)
                .map(Map.Entry::getKey)
                .toList();
    }

    static String summary(List<String> sentences, List<List<String>> contentWordsBySentence, int limit) {
        int n = sentences.size();
        if (n <= limit) {
            return String.join(" ", sentences);
        }
        List<Set<String>> sets = contentWordsBySentence.stream()
                .map(words -> (Set<String>) new HashSet<>(words))
                .toList();
        double[][] weight = new double[n][n];
        double[] outSum = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i == j || sets.get(i).size() < 2 || sets.get(j).size() < 2) {
                    continue;
                }
                Set<String> common = new HashSet<>(sets.get(i));
                common.retainAll(sets.get(j));
                weight[i][j] = common.size()
                        / (Math.log(sets.get(i).size()) + Math.log(sets.get(j).size()));
                outSum[i] += weight[i][j];
            }
        }
        double[] rank = new double[n];
        java.util.Arrays.fill(rank, 1.0);
        for (int iteration = 0; iteration < 50; iteration++) {
            double[] next = new double[n];
            for (int i = 0; i < n; i++) {
                double sum = 0;
                for (int j = 0; j < n; j++) {
                    if (weight[j][i] > 0) {
                        sum += weight[j][i] / outSum[j] * rank[j];
                    }
                }
                next[i] = (1 - DAMPING) + DAMPING * sum;
            }
            rank = next;
        }
        double[] finalRank = rank;
        return IntStream.range(0, n)
                .boxed()
                .sorted(Comparator.<Integer>comparingDouble(i -> finalRank[i])
                        .reversed()
                        .thenComparingInt(i -> i))
                .limit(limit)
                .sorted()
                .map(sentences::get)
                .reduce((a, b) -> a + " " + b)
                .orElse("");
    }
}
