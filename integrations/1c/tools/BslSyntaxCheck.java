import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;

/**
 * Parses 1C:Enterprise modules (.bsl) with the BSL grammar of 1c-syntax/bsl-parser (the parser of BSL
 * Language Server) and prints every syntax error; exit code 1 when there is one. Built by check-bsl.sh.
 */
public class BslSyntaxCheck {
  public static void main(String[] args) throws Exception {
    int total = 0;
    for (String path : args) {
      String text = new String(Files.readAllBytes(Paths.get(path)), StandardCharsets.UTF_8);
      if (text.startsWith("\uFEFF")) text = text.substring(1);
      final int[] errors = {0};
      BaseErrorListener listener = new BaseErrorListener() {
        @Override
        public void syntaxError(Recognizer<?, ?> r, Object symbol, int line, int col, String msg, RecognitionException e) {
          errors[0]++;
          System.out.println(path + ":" + line + ":" + col + ": " + msg);
        }
      };
      BSLLexer lexer = new BSLLexer(CharStreams.fromString(text));
      lexer.removeErrorListeners();
      lexer.addErrorListener(listener);
      BSLParser parser = new BSLParser(new CommonTokenStream(lexer));
      parser.removeErrorListeners();
      parser.addErrorListener(listener);
      parser.file();
      System.out.println(path + ": " + (errors[0] == 0 ? "OK" : errors[0] + " syntax error(s)"));
      total += errors[0];
    }
    System.exit(total == 0 ? 0 : 1);
  }
}
