package io.suite.locks;

/** Lock modes; the letter is how Redis stores them. */
public enum Mode {
    SHARED("S"),
    EXCLUSIVE("X");

    final String letter;

    Mode(String letter) {
        this.letter = letter;
    }

    static Mode ofLetter(String letter) {
        return "X".equals(letter) ? EXCLUSIVE : SHARED;
    }
}
