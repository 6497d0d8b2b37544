package io.vlmtagger.jobs.reliability;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Captures every log event that passes the configured levels (message and stack trace), from every
 * logger of this JVM, while open: for checking that no credential is ever logged.
 */
final class LogCapture extends AbstractAppender implements AutoCloseable {
    private final List<String> lines = new ArrayList<>();
    private final LoggerContext context;

    private LogCapture(LoggerContext context) {
        super("reliability-log-capture", null, null, true, Property.EMPTY_ARRAY);
        this.context = context;
    }

    static LogCapture attach() {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        LogCapture capture = new LogCapture(ctx);
        capture.start();
        for (LoggerConfig config : allConfigs(ctx)) {
            config.addAppender(capture, null, null);
        }
        ctx.updateLoggers();
        return capture;
    }

    @Override
    public void append(LogEvent event) {
        StringBuilder sb = new StringBuilder(event.getMessage().getFormattedMessage());
        if (event.getThrown() != null) {
            StringWriter w = new StringWriter();
            event.getThrown().printStackTrace(new PrintWriter(w));
            sb.append('\n').append(w);
        }
        synchronized (lines) {
            lines.add(sb.toString());
        }
    }

    List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    @Override
    public void close() {
        for (LoggerConfig config : allConfigs(context)) {
            config.removeAppender(getName());
        }
        context.updateLoggers();
        stop();
    }

    private static List<LoggerConfig> allConfigs(LoggerContext ctx) {
        List<LoggerConfig> all = new ArrayList<>(ctx.getConfiguration().getLoggers().values());
        if (!all.contains(ctx.getConfiguration().getRootLogger())) {
            all.add(ctx.getConfiguration().getRootLogger());
        }
        return all;
    }
}
