package io.carbonnexus.engine.db;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.AclEntry;
import java.nio.file.attribute.AclEntryPermission;
import java.nio.file.attribute.AclEntryType;
import java.nio.file.attribute.AclFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;

/** Secrets on disk: a random password, and files only their owner can read. */
final class OwnerOnlyFiles {

  private static final Logger LOG = LoggerFactory.getLogger(OwnerOnlyFiles.class);
  /** 256 bits: far beyond guessing, even by a local process trying connections all day. */
  private static final int PASSWORD_BYTES = 32;
  private static final SecureRandom RANDOM = new SecureRandom();

  private OwnerOnlyFiles() {
  }

  /** 43 characters of {@code A-Z a-z 0-9 - _}: safe in a URL, a shell and a config file unquoted. */
  static String newPassword() {
    byte[] bytes = new byte[PASSWORD_BYTES];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  static String readPassword(Path file) throws IOException {
    // A password put there by hand ends with a newline more often than not.
    String password = Files.readString(file).strip();
    if (password.isEmpty()) {
      throw new IOException("the password file " + file + " is empty");
    }
    return password;
  }

  /**
   * Replaces {@code file} with {@code content}, readable by the owner only. The content goes into
   * a file that has had its restricted permissions from its creation on, which is then renamed:
   * no reader ever sees the secret under looser permissions, and a crash leaves the old file or
   * the new one, never half of one.
   */
  static void write(Path file, String content) throws IOException {
    Path partial = file.resolveSibling(file.getFileName() + ".partial");
    Files.deleteIfExists(partial);
    createOwnerOnly(partial);
    try {
      Files.writeString(partial, content, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.SYNC);
      Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(partial);
    }
  }

  /** An empty file that only its owner can read and write, by the best means the file system has. */
  private static void createOwnerOnly(Path file) throws IOException {
    var views = file.getFileSystem().supportedFileAttributeViews();
    if (views.contains("posix")) {
      // Given to open(2) itself: the file never exists with wider permissions (a umask only narrows them).
      Files.createFile(file, PosixFilePermissions.asFileAttribute(
        EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE)));
      return;
    }
    Files.createFile(file);
    AclFileAttributeView acl = Files.getFileAttributeView(file, AclFileAttributeView.class);
    if (acl != null) {
      // Windows: one entry, the owner's; the file is still empty while other entries are removed.
      acl.setAcl(List.of(AclEntry.newBuilder().setType(AclEntryType.ALLOW).setPrincipal(Files.getOwner(file))
        .setPermissions(EnumSet.allOf(AclEntryPermission.class)).build()));
      LOG.info("{}: no POSIX permissions on this file system; its access list now names its owner only", file);
      return;
    }
    File f = file.toFile();
    boolean restricted = f.setReadable(false, false) & f.setWritable(false, false)
      & f.setReadable(true, true) & f.setWritable(true, true);
    LOG.warn("{}: this file system has neither POSIX permissions nor access lists; {}: keep the directory private",
      file, restricted ? "its read and write flags are set for its owner only" : "its permissions could not be narrowed");
  }
}
