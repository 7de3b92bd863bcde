#include <lttng/tracef.h>
#include <pthread.h>
#include <unistd.h>
static void *work(void *arg) { long id = (long)arg; for (int i = 0; i < 300; i++) { tracef("worker %ld step %d", id, i); usleep(200); } return 0; }
int main(void) { pthread_t t[2]; for (long i = 0; i < 2; i++) pthread_create(&t[i], 0, work, (void*)i); for (int i = 0; i < 2; i++) pthread_join(t[i], 0); return 0; }
