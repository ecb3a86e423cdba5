import java.nio.file.Path;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;

/** Runs a main class under a JFR recording that is dumped at exit, halt included (via a SecurityManager's checkExit). */
public final class JfrWrap {
    public static void main(String[] args) throws Exception {
        final Path out = Path.of(args[0]);
        final Recording r = new Recording(Configuration.getConfiguration("profile"));
        r.enable("jdk.ExecutionSample").withPeriod(java.time.Duration.ofMillis(2));
        r.start();
        System.setSecurityManager(new SecurityManager() {
            boolean done;
            @Override public void checkExit(int status) {
                synchronized (this) { if (!done) { done = true; try { r.stop(); r.dump(out); } catch (Exception e) { e.printStackTrace(); } } }
            }
            @Override public void checkPermission(java.security.Permission p) { }
        });
        final String[] rest = java.util.Arrays.copyOfRange(args, 2, args.length);
        Class.forName(args[1]).getMethod("main", String[].class).invoke(null, (Object) rest);
    }
}
