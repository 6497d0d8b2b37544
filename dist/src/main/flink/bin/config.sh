#!/usr/bin/env bash
# Shared by bin/jobmanager.sh, bin/taskmanager.sh and bin/flink (sourced, not run). A small
# version of Flink's bin/config.sh for this Maven-built Flink home: the same directories and
# environment variables, the same class path (every jar of lib/), the configuration read through
# Flink's own BashJavaUtils (so conf/config.yaml may be nested or flat YAML), and the same JVM
# option keys (env.java.default-opts.all, env.java.opts.all, env.java.opts.<role>).
#
# Environment: FLINK_CONF_DIR (default <home>/conf), FLINK_LOG_DIR (default env.log.dir, else
# <home>/log), FLINK_LIB_DIR (default <home>/lib), FLINK_PLUGINS_DIR (default <home>/plugins),
# JAVA_HOME (else `java` on the PATH), JVM_ARGS (extra JVM options).

FLINK_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
FLINK_BIN_DIR="$FLINK_HOME/bin"
FLINK_CONF_DIR="${FLINK_CONF_DIR:-$FLINK_HOME/conf}"
FLINK_LIB_DIR="${FLINK_LIB_DIR:-$FLINK_HOME/lib}"
FLINK_PLUGINS_DIR="${FLINK_PLUGINS_DIR:-$FLINK_HOME/plugins}"
FLINK_OPT_DIR="${FLINK_OPT_DIR:-$FLINK_HOME/opt}"
# Flink's processes read these (plugins are found through FLINK_PLUGINS_DIR, not the class path).
export FLINK_HOME FLINK_BIN_DIR FLINK_CONF_DIR FLINK_LIB_DIR FLINK_PLUGINS_DIR FLINK_OPT_DIR

if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
    JAVA_RUN="$JAVA_HOME/bin/java"
elif command -v java >/dev/null; then
    JAVA_RUN=java
else
    echo "[ERROR] no java: set JAVA_HOME or put java 17+ on the PATH" >&2
    exit 1
fi

if [[ ! -f "$FLINK_CONF_DIR/config.yaml" ]]; then
    echo "[ERROR] $FLINK_CONF_DIR/config.yaml not found (FLINK_CONF_DIR points at the folder holding it)" >&2
    exit 1
fi

# Every jar of lib/, sorted, as Flink's constructFlinkClassPath does.
FLINK_CLASSPATH=""
while IFS= read -r -d '' jar; do
    FLINK_CLASSPATH="${FLINK_CLASSPATH:+$FLINK_CLASSPATH:}$jar"
done < <(find "$FLINK_LIB_DIR" -maxdepth 1 -name '*.jar' -print0 | sort -z)
if [[ -z "$FLINK_CLASSPATH" ]]; then
    echo "[ERROR] no jars in $FLINK_LIB_DIR: build the Flink home with 'mvn -DskipTests package'" >&2
    exit 1
fi

BASH_JAVA_UTILS_PREFIX="BASH_JAVA_UTILS_EXEC_RESULT:"

# Runs Flink's BashJavaUtils COMMAND [args...] and prints its result lines without the prefix.
runBashJavaUtils() {
    local output
    # a short-lived JVM: C1 only and the serial collector start it in half the time
    if ! output="$("$JAVA_RUN" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -classpath "$FLINK_CLASSPATH" \
            org.apache.flink.runtime.util.bash.BashJavaUtils \
            "$1" --configDir "$FLINK_CONF_DIR" "${@:2}" 2>&1)"; then
        echo "[ERROR] BashJavaUtils $1 failed:" >&2
        echo "$output" >&2
        exit 1
    fi
    echo "$output" | sed -n "s/^${BASH_JAVA_UTILS_PREFIX}//p"
}

# The whole configuration as flat "key: value" lines.
FLINK_FLAT_CONF="$(runBashJavaUtils UPDATE_AND_GET_FLINK_CONFIGURATION -flatten)"

# readFromConfig KEY DEFAULT: the last value of KEY in the flattened configuration.
readFromConfig() {
    local value
    value="$(echo "$FLINK_FLAT_CONF" | grep "^[ ]*$1[ ]*:" | cut -d ':' -f2- | sed 's/^ *//;s/ *$//' | tail -n 1)"
    echo "${value:-$2}"
}

FLINK_LOG_DIR="${FLINK_LOG_DIR:-$(readFromConfig env.log.dir "$FLINK_HOME/log")}"
mkdir -p "$FLINK_LOG_DIR"
FLINK_IDENT_STRING="${FLINK_IDENT_STRING:-${USER:-$(id -un)}}"
HOSTNAME="${HOSTNAME:-$(hostname)}"

# JVM options of role ROLE (jobmanager, taskmanager, client): Flink's defaults for Java 17
# (--add-opens ...), then env.java.opts.all, then the role's own options.
javaOptsFor() {
    local opts
    opts="$(readFromConfig env.java.default-opts.all "") $(readFromConfig env.java.opts.all "")"
    opts="$opts $(readFromConfig "env.java.default-opts.$1" "") $(readFromConfig "env.java.opts.$1" "")"
    echo "-XX:+IgnoreUnrecognizedVMOptions $opts" | sed -e 's/"//g'
}

# execService SERVICE CLASS ROLE RESOURCE_COMMAND start-foreground [args...]: replaces this shell with the JVM of
# a JobManager or TaskManager in the foreground, as Flink's `<service>.sh start-foreground` does:
# memory from BashJavaUtils (JVM heap/direct/metaspace flags plus the derived memory options as
# dynamic properties), logs to $FLINK_LOG_DIR/flink-<user>-<service>-<pid>-<host>.log (the pid
# is the JVM's: exec keeps it), conf/log4j-console.properties as the logging configuration.
execService() {
    local service="$1" main_class="$2" role="$3" resource_command="$4"
    shift 4
    if [[ "${1:-}" != "start-foreground" ]]; then
        echo "Usage: $0 start-foreground [-D key=value ...]  (runs in the foreground; use your supervisor or '&')" >&2
        exit 2
    fi
    shift
    local params jvm_params dynamic_params
    params="$(runBashJavaUtils "$resource_command" "$@")"
    if [[ "$(echo "$params" | wc -l)" -ne 2 ]]; then
        echo "[ERROR] BashJavaUtils $resource_command gave no JVM parameters and dynamic properties: $params" >&2
        exit 1
    fi
    jvm_params="$(echo "$params" | head -n 1)"
    dynamic_params="$(echo "$params" | tail -n 1)"
    local log="$FLINK_LOG_DIR/flink-$FLINK_IDENT_STRING-$service-$$-$HOSTNAME.log"
    local java_opts
    java_opts="$(javaOptsFor "$role")"
    echo "Starting $service in the foreground on $HOSTNAME, log $log"
    # Word splitting of the option strings is intended (they hold several options each).
    # shellcheck disable=SC2086
    exec "$JAVA_RUN" ${JVM_ARGS:-} $jvm_params $java_opts \
        "-Dlog.file=$log" \
        "-Dlog4j.configuration=file:$FLINK_CONF_DIR/log4j-console.properties" \
        "-Dlog4j.configurationFile=file:$FLINK_CONF_DIR/log4j-console.properties" \
        -classpath "$FLINK_CLASSPATH" "$main_class" \
        --configDir "$FLINK_CONF_DIR" $dynamic_params "$@"
}
