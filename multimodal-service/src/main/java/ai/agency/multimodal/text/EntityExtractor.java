package ai.agency.multimodal.text;

import ai.agency.multimodal.safety.InterruptibleText;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;

/**
 * Named entities with character offsets, found by rules rather than a statistical model (none ships on Maven
 * Central for these languages): e-mail addresses, URLs, amounts of money and dates by regular expressions; persons
 * by a title ("Dr.", "Mme", "Herr", "Sr.") or a known first name followed by capitalised words; organisations by a
 * legal or institutional suffix ("Inc.", "GmbH", "University") or a short list of well-known names; locations by a
 * gazetteer of countries and large cities. Earlier types in that order win when spans overlap.
 */
@Component
public class EntityExtractor {

    private static final String MONTHS = "January|February|March|April|May|June|July|August|September|October|November"
            + "|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
            + "|janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
            + "|Januar|Februar|März|Juni|Juli|Oktober|Dezember"
            + "|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre";

    private static final String CAPITALISED = "\\p{Lu}[\\p{L}'’-]{1,40}";

    private record Rule(String type, Pattern pattern, int group) {}

    private static final Set<String> FIRST_NAMES = Set.of(
            "John",
            "James",
            "Robert",
            "Michael",
            "William",
            "David",
            "Richard",
            "Joseph",
            "Thomas",
            "Charles",
            "Mary",
            "Patricia",
            "Jennifer",
            "Linda",
            "Elizabeth",
            "Barbara",
            "Susan",
            "Jessica",
            "Sarah",
            "Karen",
            "Emma",
            "Olivia",
            "Alice",
            "Bob",
            "Anna",
            "Maria",
            "Marie",
            "Jean",
            "Pierre",
            "Sophie",
            "Camille",
            "Hans",
            "Peter",
            "Klaus",
            "Angela",
            "Julia",
            "Carlos",
            "José",
            "Juan",
            "Lucía",
            "Carmen",
            "Ana",
            "Paul",
            "Mark",
            "Laura",
            "Emily",
            "Daniel",
            "Matthew",
            "Andrew",
            "Elena",
            "Luca",
            "Giulia",
            "Marco",
            "Ada",
            "Alan",
            "Grace",
            "Tim",
            "Steve",
            "Bill",
            "Elon",
            "Satya",
            "Sundar",
            "Jeff");

    private static final Set<String> LOCATIONS = Set.of(
            "Afghanistan",
            "Albania",
            "Algeria",
            "Argentina",
            "Australia",
            "Austria",
            "Belgium",
            "Brazil",
            "Canada",
            "Chile",
            "China",
            "Colombia",
            "Croatia",
            "Cuba",
            "Czechia",
            "Denmark",
            "Egypt",
            "England",
            "Estonia",
            "Ethiopia",
            "Europe",
            "Africa",
            "Asia",
            "America",
            "Finland",
            "France",
            "Germany",
            "Ghana",
            "Greece",
            "Hungary",
            "Iceland",
            "India",
            "Indonesia",
            "Iran",
            "Iraq",
            "Ireland",
            "Israel",
            "Italy",
            "Japan",
            "Kenya",
            "Korea",
            "Latvia",
            "Lithuania",
            "Luxembourg",
            "Mexico",
            "Morocco",
            "Netherlands",
            "Nigeria",
            "Norway",
            "Pakistan",
            "Peru",
            "Poland",
            "Portugal",
            "Romania",
            "Russia",
            "Scotland",
            "Serbia",
            "Singapore",
            "Slovakia",
            "Slovenia",
            "Spain",
            "Sweden",
            "Switzerland",
            "Thailand",
            "Tunisia",
            "Turkey",
            "Ukraine",
            "Vietnam",
            "Wales",
            "United States",
            "United Kingdom",
            "New Zealand",
            "South Africa",
            "Deutschland",
            "Frankreich",
            "Spanien",
            "Italien",
            "Österreich",
            "Schweiz",
            "Allemagne",
            "Espagne",
            "Italie",
            "Suisse",
            "Angleterre",
            "España",
            "Francia",
            "Alemania",
            "Italia",
            "Amsterdam",
            "Athens",
            "Barcelona",
            "Beijing",
            "Berlin",
            "Boston",
            "Brussels",
            "Bruxelles",
            "Budapest",
            "Buenos Aires",
            "Cairo",
            "Chicago",
            "Copenhagen",
            "Dublin",
            "Edinburgh",
            "Frankfurt",
            "Geneva",
            "Genève",
            "Hamburg",
            "Helsinki",
            "Hong Kong",
            "Istanbul",
            "Lisbon",
            "Lisboa",
            "London",
            "Londres",
            "Los Angeles",
            "Lyon",
            "Madrid",
            "Marseille",
            "Melbourne",
            "Mexico City",
            "Milan",
            "Milano",
            "Montreal",
            "Moscow",
            "Mumbai",
            "Munich",
            "München",
            "New York",
            "Oslo",
            "Paris",
            "Prague",
            "Rome",
            "Roma",
            "San Francisco",
            "São Paulo",
            "Seattle",
            "Seoul",
            "Shanghai",
            "Stockholm",
            "Sydney",
            "Tokyo",
            "Toronto",
            "Toulouse",
            "Vancouver",
            "Vienna",
            "Wien",
            "Warsaw",
            "Washington",
            "Zurich",
            "Zürich",
            "Sevilla",
            "Valencia",
            "Köln",
            "Cologne");

    private static final Set<String> ORGANISATIONS = Set.of(
            "Google",
            "Microsoft",
            "Apple",
            "Amazon",
            "Meta",
            "Facebook",
            "OpenAI",
            "Anthropic",
            "IBM",
            "Intel",
            "Nvidia",
            "NVIDIA",
            "Oracle",
            "Samsung",
            "Siemens",
            "Airbus",
            "Boeing",
            "Tesla",
            "Netflix",
            "NASA",
            "UNESCO",
            "UNICEF",
            "NATO",
            "WHO",
            "United Nations",
            "European Union",
            "Red Cross",
            "Wikipedia");

    private static final List<Rule> RULES = List.of(
            new Rule(
                    "email",
                    Pattern.compile(
                            "[\\p{L}\\d._%+-]{1,64}@[\\p{L}\\d-]{1,63}(?:\\.[\\p{L}\\d-]{1,63}){0,8}\\.\\p{L}{2,24}"),
                    0),
            new Rule("url", Pattern.compile("\\b(?:https?://|www\\.)[^\\s<>\"]{1,2047}[^\\s<>\".,;:!?)\\]]"), 0),
            new Rule(
                    "money",
                    Pattern.compile(
                            "(?:[$€£¥]\\s?\\d(?:[\\d,.]{0,30}\\d)?(?:\\s?(?:million|billion|thousand|k|m|bn)\\b)?)"
                                    + "|(?:\\b\\d[\\d,.\\s]{0,30}(?:USD|EUR|GBP|CHF|JPY|dollars?|euros?|pounds?|€|\\$)(?!\\p{L}))"),
                    0),
            new Rule(
                    "date",
                    Pattern.compile("\\b\\d{4}-\\d{2}-\\d{2}\\b"
                            + "|\\b\\d{1,2}[/.]\\d{1,2}[/.]\\d{2,4}\\b"
                            + "|\\b\\d{1,2}(?:st|nd|rd|th|er|\\.)?\\s+(?:of\\s+|de\\s+)?(?:" + MONTHS + ")"
                            + "(?:,?\\s+(?:de\\s+)?\\d{4})?\\b"
                            + "|\\b(?:" + MONTHS + ")\\s+\\d{1,2}(?:st|nd|rd|th)?(?:,?\\s+\\d{4})?\\b"
                            + "|\\b(?:" + MONTHS + ")\\s+\\d{4}\\b"),
                    0),
            new Rule(
                    "organisation",
                    Pattern.compile("\\b(?:" + CAPITALISED + "\\s+){0,3}" + CAPITALISED
                            + "\\s+(?:Inc|Ltd|LLC|GmbH|AG|SA|SAS|SARL|Corp|Corporation|Company|PLC|Group|Foundation"
                            + "|University|Bank|Institute|Association)\\b\\.?"
                            + "|\\b(?:University|Université|Universität|Universidad|Bank|Banque) (?:of |de |of the )?"
                            + CAPITALISED + "(?:\\s+" + CAPITALISED + ")?"
                            + "|\\b(?:" + alternatives(ORGANISATIONS) + ")\\b"),
                    0),
            new Rule(
                    "person",
                    Pattern.compile("\\b(?:Mr|Mrs|Ms|Dr|Prof|Sir|Dame|Madame|Mme|Mlle|Monsieur|M|Herr|Frau|Señor|Señora"
                            + "|Sr|Sra|Don|Doña)\\.?\\s+(" + CAPITALISED + "(?:\\s+" + CAPITALISED + ")?)"
                            + "|\\b((?:" + alternatives(FIRST_NAMES) + ")(?:\\s+" + CAPITALISED + ")?)\\b"),
                    -1),
            new Rule("location", Pattern.compile("\\b(?:" + alternatives(LOCATIONS) + ")\\b"), 0));

    public List<TextAnalysis.Entity> extract(String text) {
        BitSet taken = new BitSet(text.length());
        List<TextAnalysis.Entity> entities = new ArrayList<>();
        for (Rule rule : RULES) {
            Matcher matcher = rule.pattern().matcher(new InterruptibleText(text));
            while (matcher.find()) {
                int start = matcher.start();
                int end = matcher.end();
                if (rule.group() < 0) {
                    int group = matcher.group(1) != null ? 1 : 2;
                    start = matcher.start(group);
                    end = matcher.end(group);
                }
                String value = text.substring(start, end).strip();
                end = start + value.length();
                if (value.isEmpty() || taken.get(start, end).cardinality() > 0) {
                    continue;
                }
                taken.set(start, end);
                entities.add(new TextAnalysis.Entity(value, rule.type(), start, end));
            }
        }
        entities.sort(Comparator.comparingInt(TextAnalysis.Entity::start));
        return List.copyOf(entities);
    }

    private static String alternatives(Set<String> names) {
        return names.stream()
                .sorted(Comparator.comparingInt(String::length).reversed())
                .map(Pattern::quote)
                .collect(Collectors.joining("|"));
    }
}
