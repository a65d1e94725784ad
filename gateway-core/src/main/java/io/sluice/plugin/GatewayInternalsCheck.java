package io.sluice.plugin;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds, when a plugin jar is installed, the classes of the gateway outside {@code io.sluice.spi}
 * that the jar's classes refer to. Such a jar compiles against gateway-core and passes
 * {@code validate}, but its class loader cannot see those classes (see {@link SpiOnlyClassLoader}),
 * so it would fail with {@code NoClassDefFoundError} on the first request that reaches the code.
 *
 * <p>It reads the constant pool of each class file: class names and type descriptors are its
 * UTF-8 entries, so one pass over them finds every type a class links to.
 */
final class GatewayInternalsCheck {

  private static final Pattern GATEWAY_TYPE = Pattern.compile("io/sluice/[A-Za-z0-9_$/]+");
  private static final String SPI = "io/sluice/spi/";
  private static final int CLASS_MAGIC = 0xCAFEBABE;

  private GatewayInternalsCheck() {}

  /** One use of a gateway internal: which class of the jar uses which gateway class (binary names). */
  record Use(String inJar, String internal) {}

  /** The gateway classes outside the SPI that the classes of {@code jar} refer to (none of its own). */
  static List<Use> find(Path jar) throws IOException {
    Set<String> own = new HashSet<>();
    List<Use> uses = new ArrayList<>();
    try (JarFile file = new JarFile(jar.toFile())) {
      for (Enumeration<JarEntry> entries = file.entries(); entries.hasMoreElements(); ) {
        JarEntry entry = entries.nextElement();
        if (entry.getName().endsWith(".class") && !entry.getName().startsWith("META-INF/")) {
          own.add(entry.getName().substring(0, entry.getName().length() - ".class".length()));
        }
      }
      for (Enumeration<JarEntry> entries = file.entries(); entries.hasMoreElements(); ) {
        JarEntry entry = entries.nextElement();
        if (!entry.getName().endsWith(".class") || entry.getName().startsWith("META-INF/")) {
          continue;
        }
        String className = entry.getName().substring(0, entry.getName().length() - ".class".length());
        Set<String> internals = new TreeSet<>();
        try (InputStream in = file.getInputStream(entry)) {
          for (String text : utf8Constants(in)) {
            Matcher type = GATEWAY_TYPE.matcher(text);
            while (type.find()) {
              String name = type.group();
              if (!name.startsWith(SPI) && !own.contains(name)) {
                internals.add(name.replace('/', '.'));
              }
            }
          }
        }
        internals.forEach(internal -> uses.add(new Use(className.replace('/', '.'), internal)));
      }
    }
    return uses;
  }

  /** The UTF-8 entries of a class file's constant pool (empty for a file that is not a class). */
  static List<String> utf8Constants(InputStream classFile) throws IOException {
    DataInputStream in = new DataInputStream(classFile);
    List<String> out = new ArrayList<>();
    if (in.readInt() != CLASS_MAGIC) {
      return out;
    }
    in.readUnsignedShort(); // minor version
    in.readUnsignedShort(); // major version
    int count = in.readUnsignedShort();
    for (int i = 1; i < count; i++) {
      int tag = in.readUnsignedByte();
      switch (tag) {
        case 1 -> out.add(in.readUTF()); // Utf8
        case 7, 8, 16, 19, 20 -> in.skipNBytes(2); // Class, String, MethodType, Module, Package
        case 15 -> in.skipNBytes(3); // MethodHandle
        case 3, 4, 9, 10, 11, 12, 17, 18 -> in.skipNBytes(4); // Integer, Float, refs, NameAndType, (Invoke)Dynamic
        case 5, 6 -> { // Long, Double: two entries
          in.skipNBytes(8);
          i++;
        }
        default -> throw new IOException("unknown constant pool tag " + tag + " at entry " + i);
      }
    }
    return out;
  }
}
