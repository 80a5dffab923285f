package io.fleetwatch.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Command;

/**
 * Keeps {@code cli} thin: argument parsing, wiring and printing. The SQL lives with the tables' owners (the store
 * module), the domain logic in the module that owns it, and a command never reaches into another command.
 */
class ThinCliTest {
    static final String CLI = "io.fleetwatch.cli";

    /** SQL as the code writes it (upper-case keywords), in any string constant of a class. */
    static final Pattern SQL = Pattern.compile("\\b(SELECT\\s.*\\bFROM\\s|SELECT\\s+[\\w.]+\\s*\\(|INSERT\\s+INTO\\s"
            + "|UPDATE\\s+\\w+\\s+SET\\s|DELETE\\s+FROM\\s|(CREATE|DROP|ALTER|TRUNCATE)\\s+(TABLE|SCHEMA|EXTENSION|INDEX)\\b)",
            Pattern.DOTALL);

    static final JavaClasses MAIN = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(CLI);

    /** The statement side of JDBC: running SQL, not naming a data source or a timestamp. */
    static final ArchRule NO_JDBC_STATEMENTS = noClasses().that().resideInAPackage(CLI + "..")
            .should().dependOnClassesThat().haveFullyQualifiedName(java.sql.Statement.class.getName())
            .orShould().dependOnClassesThat().haveFullyQualifiedName(java.sql.PreparedStatement.class.getName())
            .orShould().dependOnClassesThat().haveFullyQualifiedName(java.sql.CallableStatement.class.getName())
            .orShould().dependOnClassesThat().haveFullyQualifiedName(java.sql.ResultSet.class.getName())
            .orShould().dependOnClassesThat().haveFullyQualifiedName(java.sql.ResultSetMetaData.class.getName())
            .orShould().dependOnClassesThat().haveFullyQualifiedName(javax.sql.RowSet.class.getName())
            .orShould().callMethodWhere(jdbcStatementCall())
            .because("SQL runs in the tables' owners (io.fleetwatch.store), not in the CLI");

    static final ArchRule NO_JDBI = noClasses().that().resideInAPackage(CLI + "..")
            .should().dependOnClassesThat().resideInAPackage("org.jdbi..")
            .because("data access belongs to io.fleetwatch.store");

    static final ArchRule NO_SQL_TEXT = noClasses().that().resideInAPackage(CLI + "..").should(containSqlText())
            .because("SQL is written once, by the owner of its table");

    /** Commands ({@code @Command} classes, the launcher aside) use their own nested subcommands only. */
    static final ArchRule COMMANDS_STAND_ALONE = noClasses().that().areAnnotatedWith(Command.class)
            .and().doNotHaveFullyQualifiedName(Main.class.getName())
            .should(dependOnAnotherCommand())
            .because("shared wiring belongs in a component or a wiring class, not in another command");

    @Test
    void noJdbcStatements() {
        NO_JDBC_STATEMENTS.check(MAIN);
    }

    @Test
    void noJdbi() {
        NO_JDBI.check(MAIN);
    }

    @Test
    void noSqlText() {
        NO_SQL_TEXT.check(MAIN);
    }

    @Test
    void commandsDoNotUseOtherCommands() {
        COMMANDS_STAND_ALONE.check(MAIN);
    }

    private static DescribedPredicate<com.tngtech.archunit.core.domain.JavaMethodCall> jdbcStatementCall() {
        return DescribedPredicate.describe("a JDBC statement method (prepareStatement, createStatement, prepareCall)",
                call -> call.getTargetOwner().isAssignableTo(java.sql.Connection.class)
                        && List.of("prepareStatement", "createStatement", "prepareCall").contains(call.getName()));
    }

    private static JavaClass topLevel(JavaClass c) {
        JavaClass t = c;
        while (t.getEnclosingClass().isPresent()) {
            t = t.getEnclosingClass().get();
        }
        return t;
    }

    private static ArchCondition<JavaClass> dependOnAnotherCommand() {
        return new ArchCondition<>("depend on another command") {
            @Override
            public void check(JavaClass c, ConditionEvents events) {
                for (Dependency d : c.getDirectDependenciesFromSelf()) {
                    JavaClass target = d.getTargetClass();
                    if (target.isAnnotatedWith(Command.class) && !topLevel(target).equals(topLevel(c))) {
                        events.add(SimpleConditionEvent.satisfied(c, d.getDescription()));
                    }
                }
            }
        };
    }

    private static ArchCondition<JavaClass> containSqlText() {
        return new ArchCondition<>("contain SQL text") {
            @Override
            public void check(JavaClass c, ConditionEvents events) {
                for (String s : stringConstants(c)) {
                    if (SQL.matcher(s).find()) {
                        events.add(SimpleConditionEvent.satisfied(c, c.getName() + " holds SQL: \"" + s + "\""));
                    }
                }
            }
        };
    }

    /** Every UTF-8 constant of the class file: string literals, concatenation recipes, names. */
    static List<String> stringConstants(JavaClass c) {
        byte[] bytes;
        try (InputStream in = c.getSource().orElseThrow().getUri().toURL().openStream()) {
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> out = new ArrayList<>();
        try (DataInputStream d = new DataInputStream(new ByteArrayInputStream(bytes))) {
            d.skipBytes(8); // magic, minor, major
            int count = d.readUnsignedShort();
            for (int i = 1; i < count; i++) {
                int tag = d.readUnsignedByte();
                switch (tag) {
                    case 1 -> out.add(d.readUTF());
                    case 7, 8, 16, 19, 20 -> d.skipBytes(2);
                    case 15 -> d.skipBytes(3);
                    case 3, 4, 9, 10, 11, 12, 17, 18 -> d.skipBytes(4);
                    case 5, 6 -> {
                        d.skipBytes(8);
                        i++; // takes two entries
                    }
                    default -> throw new IllegalStateException(c.getName() + ": constant pool tag " + tag);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
