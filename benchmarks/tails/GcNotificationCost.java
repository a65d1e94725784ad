import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.management.NotificationEmitter;

/**
 * What a GC notification listener costs the JDK: allocates for 10 s, then prints the CPU time of
 * the JVM's notification thread and the number of collections. Run once without and once with a
 * listener that only reads the notification's data (docs/benchmarks.md):
 *
 * <pre>
 * taskset -c 1 java -Xms32m -Xmx64m -XX:+UseG1GC benchmarks/tails/GcNotificationCost.java
 * taskset -c 1 java -Xms32m -Xmx64m -XX:+UseG1GC benchmarks/tails/GcNotificationCost.java listen
 * </pre>
 */
public class GcNotificationCost {
  static volatile Object sink;

  public static void main(String[] args) throws Exception {
    boolean listen = args.length > 0 && args[0].equals("listen");
    if (listen) {
      for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
        ((NotificationEmitter) bean).addNotificationListener((notification, handback) -> sink = notification.getUserData(), null, null);
      }
    }
    long end = System.nanoTime() + 10_000_000_000L;
    while (System.nanoTime() < end) {
      sink = new byte[256];
    }
    long collections = ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(GarbageCollectorMXBean::getCollectionCount).sum();
    try (var tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
      for (Path task : tasks) {
        if (Files.readString(task.resolve("comm")).startsWith("Notification")) {
          double ms = Long.parseLong(Files.readString(task.resolve("schedstat")).split(" ")[0]) / 1e6;
          System.out.printf("%s: notification thread %.2f ms of CPU in %d collections%n",
              listen ? "with a listener" : "without a listener", ms, collections);
        }
      }
    }
  }
}
