//go:build linux || darwin || freebsd

#include "textflag.h"

// func lineEndsAVX2(p []byte, ends []uint32) int
//
// SI: p, BX: len(p), DI: ends, CX: len(ends), AX: ends set, DX: offset of
// the block in p, Y0: 32 bytes of '\n'.
TEXT ·lineEndsAVX2(SB), NOSPLIT, $0-56
	MOVQ p_base+0(FP), SI
	MOVQ p_len+8(FP), BX
	MOVQ ends_base+24(FP), DI
	MOVQ ends_len+32(FP), CX
	XORQ AX, AX
	XORQ DX, DX
	TESTQ CX, CX
	JZ   done
	MOVL $0x0a, R8
	MOVQ R8, X0
	VPBROADCASTB X0, Y0

block:
	// A whole block of 32 bytes left?
	LEAQ 32(DX), R9
	CMPQ R9, BX
	JA   tail
	VMOVDQU (SI)(DX*1), Y1
	VPCMPEQB Y0, Y1, Y1
	VPMOVMSKB Y1, R10

bit:
	// Each set bit of R10 is a '\n' at DX plus its index.
	TESTL R10, R10
	JZ    nextblock
	BSFL  R10, R11
	LEAQ  1(DX)(R11*1), R12
	MOVL  R12, (DI)(AX*4)
	INCQ  AX
	CMPQ  AX, CX
	JAE   done
	LEAL  -1(R10), R13
	ANDL  R13, R10
	JMP   bit

nextblock:
	MOVQ R9, DX
	JMP  block

tail:
	// Fewer than 32 bytes left: one at a time.
	CMPQ DX, BX
	JAE  done
	MOVBLZX (SI)(DX*1), R10
	INCQ DX
	CMPL R10, $0x0a
	JNE  tail
	MOVL DX, (DI)(AX*4)
	INCQ AX
	CMPQ AX, CX
	JB   tail

done:
	VZEROUPPER
	MOVQ AX, ret+48(FP)
	RET
