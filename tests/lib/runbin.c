#include "runbin.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

struct runbin_buf {
	char *data;
	size_t len;
	size_t size;
};

static int runbin_buf_append(struct runbin_buf *buf, const char *data, size_t len)
{
	if (buf->len + len + 1 > buf->size) {
		size_t size = buf->size ? buf->size : 4096;
		char *grown;

		while (buf->len + len + 1 > size)
			size *= 2;
		grown = realloc(buf->data, size);
		if (!grown)
			return -1;
		buf->data = grown;
		buf->size = size;
	}
	memcpy(buf->data + buf->len, data, len);
	buf->len += len;
	buf->data[buf->len] = '\0';
	return 0;
}

/* The current environment with opts' entries added or replaced. The array
 * is owned; its strings are borrowed. */
static char **runbin_envp_new(const char *const *extra)
{
	size_t nenv = 0, nextra = 0, n = 0;
	char **envp;

	while (environ[nenv])
		nenv++;
	while (extra && extra[nextra])
		nextra++;
	envp = calloc(nenv + nextra + 1, sizeof *envp);
	if (!envp)
		return NULL;
	for (size_t i = 0; i < nenv; i++) {
		const char *eq = strchr(environ[i], '=');
		size_t keylen = eq ? (size_t)(eq - environ[i]) + 1 : strlen(environ[i]);
		bool replaced = false;

		for (size_t j = 0; j < nextra; j++)
			replaced = replaced || strncmp(extra[j], environ[i], keylen) == 0;
		if (!replaced)
			envp[n++] = environ[i];
	}
	for (size_t j = 0; j < nextra; j++)
		envp[n++] = (char *)extra[j];
	envp[n] = NULL;
	return envp;
}

static long runbin_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Child side: never returns. Reports a failed exec's errno on report_fd. */
static void runbin_child(const char *const *argv, char **envp, const char *cwd, int in_fd,
			 int out_fd, int err_fd, int report_fd)
{
	int saved;

	/* Own process group, so a timeout kills the program's children too. */
	setpgid(0, 0);
	if (dup2(in_fd, STDIN_FILENO) < 0 || dup2(out_fd, STDOUT_FILENO) < 0 ||
	    dup2(err_fd, STDERR_FILENO) < 0)
		goto fail;
	if (cwd && chdir(cwd) < 0)
		goto fail;
	signal(SIGPIPE, SIG_DFL);
	execve(argv[0], (char *const *)argv, envp);
fail:
	saved = errno;
	if (write(report_fd, &saved, sizeof saved) < 0)
		_exit(127);
	_exit(127);
}

int runbin_run(const char *const *argv, const struct runbin_opts *opts,
	       struct runbin_result *res)
{
	static const struct runbin_opts no_opts = { 0 };
	struct runbin_buf out = { 0 }, errbuf = { 0 };
	int in_pipe[2] = { -1, -1 }, out_pipe[2] = { -1, -1 }, err_pipe[2] = { -1, -1 };
	int report[2] = { -1, -1 };
	const char *input;
	size_t input_len, input_done = 0;
	char **envp = NULL;
	long deadline;
	int child_errno = 0;
	int wstatus = 0;
	pid_t pid = -1;
	int ret = -1;

	memset(res, 0, sizeof *res);
	if (!opts)
		opts = &no_opts;
	input = opts->input ? opts->input : "";
	input_len = strlen(input);
	signal(SIGPIPE, SIG_IGN);
	envp = runbin_envp_new(opts->env);
	if (!envp || pipe2(in_pipe, O_CLOEXEC) < 0 || pipe2(out_pipe, O_CLOEXEC) < 0 ||
	    pipe2(err_pipe, O_CLOEXEC) < 0 || pipe2(report, O_CLOEXEC) < 0)
		goto cleanup;
	pid = fork();
	if (pid < 0)
		goto cleanup;
	if (pid == 0)
		runbin_child(argv, envp, opts->cwd, in_pipe[0], out_pipe[1], err_pipe[1], report[1]);
	close(in_pipe[0]);
	close(out_pipe[1]);
	close(err_pipe[1]);
	close(report[1]);
	in_pipe[0] = out_pipe[1] = err_pipe[1] = report[1] = -1;
	if (read(report[0], &child_errno, sizeof child_errno) == (ssize_t)sizeof child_errno) {
		waitpid(pid, &wstatus, 0);
		errno = child_errno;
		goto cleanup;
	}
	child_errno = 0;
	fcntl(in_pipe[1], F_SETFL, O_NONBLOCK);
	if (input_len == 0) {
		close(in_pipe[1]);
		in_pipe[1] = -1;
	}
	deadline = runbin_now_ms() + (opts->timeout_ms > 0 ? opts->timeout_ms
						       : RUNBIN_TIMEOUT_MS_DEFAULT);
	while (out_pipe[0] >= 0 || err_pipe[0] >= 0) {
		struct pollfd fds[3] = {
			{ .fd = out_pipe[0], .events = POLLIN },
			{ .fd = err_pipe[0], .events = POLLIN },
			{ .fd = in_pipe[1], .events = POLLOUT },
		};
		long left = deadline - runbin_now_ms();
		int ready;

		if (left <= 0) {
			res->timed_out = true;
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			break;
		}
		ready = poll(fds, 3, (int)left);
		if (ready < 0 && errno != EINTR)
			break;
		for (int i = 0; i < 2 && ready > 0; i++) {
			int *fd = i == 0 ? &out_pipe[0] : &err_pipe[0];
			struct runbin_buf *buf = i == 0 ? &out : &errbuf;
			char chunk[4096];
			ssize_t got;

			if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			got = read(*fd, chunk, sizeof chunk);
			if (got > 0) {
				if (runbin_buf_append(buf, chunk, (size_t)got) < 0)
					goto cleanup;
			} else if (got == 0 || errno != EINTR) {
				close(*fd);
				*fd = -1;
			}
		}
		if (in_pipe[1] >= 0 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
			ssize_t put = write(in_pipe[1], input + input_done, input_len - input_done);

			if (put > 0)
				input_done += (size_t)put;
			if ((put < 0 && errno != EAGAIN && errno != EINTR) || input_done == input_len) {
				close(in_pipe[1]);
				in_pipe[1] = -1;
			}
		}
	}
	while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
		;
	pid = -1;
	if (WIFEXITED(wstatus))
		res->status = WEXITSTATUS(wstatus);
	else if (WIFSIGNALED(wstatus))
		res->status = 128 + WTERMSIG(wstatus);
	ret = 0;
cleanup:
	if (ret < 0) {
		char message[256];
		int saved = errno;

		if (pid > 0) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
		snprintf(message, sizeof message, "cannot run '%s': %s\n", argv[0], strerror(saved));
		free(errbuf.data);
		errbuf = (struct runbin_buf){ 0 };
		runbin_buf_append(&errbuf, message, strlen(message));
		res->status = -1;
		errno = saved;
	}
	for (int i = 0; i < 2; i++) {
		if (in_pipe[i] >= 0)
			close(in_pipe[i]);
		if (out_pipe[i] >= 0)
			close(out_pipe[i]);
		if (err_pipe[i] >= 0)
			close(err_pipe[i]);
		if (report[i] >= 0)
			close(report[i]);
	}
	free(envp);
	/* Callers print these unconditionally: never NULL. */
	if (!out.data)
		runbin_buf_append(&out, "", 0);
	if (!errbuf.data)
		runbin_buf_append(&errbuf, "", 0);
	res->out = out.data;
	res->out_len = out.len;
	res->err = errbuf.data;
	res->err_len = errbuf.len;
	return ret;
}

void runbin_result_clear(struct runbin_result *res)
{
	if (!res)
		return;
	free(res->out);
	free(res->err);
	memset(res, 0, sizeof *res);
}

json_object *runbin_json(const struct runbin_result *res)
{
	json_tokener *tok;
	json_object *obj;
	size_t end;

	if (!res->out || res->out_len == 0)
		return NULL;
	tok = json_tokener_new();
	if (!tok)
		return NULL;
	obj = json_tokener_parse_ex(tok, res->out, (int)res->out_len);
	end = json_tokener_get_parse_end(tok);
	/* One value only: trailing text (a second document) is a failure. */
	if (obj && strspn(res->out + end, " \t\r\n") != res->out_len - end) {
		json_object_put(obj);
		obj = NULL;
	}
	json_tokener_free(tok);
	return obj;
}

const char *runbin_bootdeck_path(void)
{
	const char *path = getenv("BOOTDECK_BIN");

	return path && *path ? path : NULL;
}

#define RUNBIN_MAX_WORDS 64

int runbin_bootdeck(struct runbin_result *res, const struct runbin_opts *opts,
		    const char *db_path, ...)
{
	const char *argv[RUNBIN_MAX_WORDS + 4];
	const char *word;
	size_t n = 0;
	va_list ap;

	/* Unset, the exec fails with ENOENT and res->err says which path. */
	argv[n++] = runbin_bootdeck_path() ? runbin_bootdeck_path() : "$BOOTDECK_BIN (unset)";
	if (db_path) {
		argv[n++] = "--db";
		argv[n++] = db_path;
	}
	va_start(ap, db_path);
	while ((word = va_arg(ap, const char *)) && n < RUNBIN_MAX_WORDS + 3)
		argv[n++] = word;
	va_end(ap);
	argv[n] = NULL;
	return runbin_run(argv, opts, res);
}

char *runbin_tmpdir_new(const char *prefix)
{
	const char *base = getenv("TMPDIR");
	char *path = NULL;

	if (!base || !*base)
		base = "/tmp";
	if (asprintf(&path, "%s/%s.XXXXXX", base, prefix ? prefix : "runbin") < 0)
		return NULL;
	if (!mkdtemp(path)) {
		free(path);
		return NULL;
	}
	return path;
}

static int runbin_remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

void runbin_tmpdir_remove(const char *path)
{
	if (!path)
		return;
	nftw(path, runbin_remove_one, 16, FTW_DEPTH | FTW_PHYS);
}
