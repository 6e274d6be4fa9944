/*
 * sendfile: one PR_SendFile (or PR_TransmitFile) call of NSPR, for
 * transfer_linux_test.go to compare with nspr's SendFile byte for byte and
 * code for code.
 *
 *   cc -o sendfile sendfile.c $(pkg-config --cflags --libs nspr)
 *   sendfile MODE PORT FILE OFFSET NBYTES HEADER TRAILER FLAGS
 *
 * MODE is "tcp" (connect to 127.0.0.1:PORT and send), "nonblocking" (the
 * same on a non-blocking socket), "udp" (on a UDP socket) or "transmit"
 * (PR_TransmitFile of FILE with HEADER). It prints "RESULT rv code-name".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nspr.h>

int main(int argc, char **argv) {
    if (argc != 9) {
        fprintf(stderr, "usage: sendfile MODE PORT FILE OFFSET NBYTES HEADER TRAILER FLAGS\n");
        return 2;
    }
    const char *mode = argv[1];
    PR_Init(PR_USER_THREAD, PR_PRIORITY_NORMAL, 0);
    PRFileDesc *f = PR_Open(argv[3], PR_RDONLY, 0);
    if (!f) {
        fprintf(stderr, "sendfile: cannot open %s\n", argv[3]);
        return 1;
    }
    PRFileDesc *s;
    if (strcmp(mode, "udp") == 0) {
        s = PR_OpenUDPSocket(PR_AF_INET);
    } else {
        PRNetAddr addr;
        s = PR_OpenTCPSocket(PR_AF_INET);
        PR_InitializeNetAddr(PR_IpAddrLoopback, (PRUint16)atoi(argv[2]), &addr);
        if (!s || PR_Connect(s, &addr, PR_SecondsToInterval(5)) != PR_SUCCESS) {
            fprintf(stderr, "sendfile: connect: %d\n", (int)PR_GetError());
            return 1;
        }
    }
    if (strcmp(mode, "nonblocking") == 0) {
        PRSocketOptionData opt = {.option = PR_SockOpt_Nonblocking};
        opt.value.non_blocking = PR_TRUE;
        PR_SetSocketOption(s, &opt);
    }
    PRSendFileData sfd = {f, (PRUint32)atol(argv[4]), (PRSize)atol(argv[5]), argv[6], (PRInt32)strlen(argv[6]),
                          argv[7], (PRInt32)strlen(argv[7])};
    PRTransmitFileFlags flags = (PRTransmitFileFlags)atoi(argv[8]);
    PRInt32 rv;
    if (strcmp(mode, "transmit") == 0)
        rv = PR_TransmitFile(s, f, sfd.header, sfd.hlen, flags, PR_SecondsToInterval(10));
    else
        rv = PR_SendFile(s, &sfd, flags, PR_SecondsToInterval(10));
    printf("RESULT %d %s\n", (int)rv, rv < 0 ? PR_ErrorToName(PR_GetError()) : "none");
    if (rv >= 0 && !(flags & PR_TRANSMITFILE_CLOSE_SOCKET))
        PR_Close(s);
    return 0;
}
