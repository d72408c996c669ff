/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Purgatory objects (ET_REL), loaded the way the kernel's kexec_file loads its
 * own (kernel/kexec_file.c, arch/x86/kernel/machine_kexec_64.c): allocated
 * sections laid out in file order in one buffer, .bss-like sections after
 * them, variables found by name in .symtab, RELA relocations applied for the
 * address the buffer will run at. 32-bit machines' objects (ELFCLASS32) are
 * read into the 64-bit structures field by field; their REL relocations
 * (32-bit ARM's) keep the addend in the field itself, which the machine's
 * rel_addend() reads from the blob, never from the buffer, so that
 * relocating again starts from the same addends. An ELFCLASS64 object in the
 * other byte order (s390x's big-endian purgatory, planned on a little-endian
 * host) is read field by field swapped, and its parameter block written in
 * its order (kx_purgatory_set_params); the machine's apply() writes the
 * relocated fields in its own order.
 *
 * The blob is embedded, but it is parsed as hostile input all the same: every
 * offset, size, index and name is checked against the blob before use, once,
 * in kx_purgatory_init(). Later calls rely on those checks.
 */
#include <elf.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "purgatory.h"

/* A purgatory is a few KiB; anything near this is not one. */
#define PURGATORY_MAX_SIZE (64u << 20)
/* The loader places the buffer page-aligned; a larger alignment cannot be honoured. */
#define PURGATORY_MAX_ALIGN 4096u

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define HOST_ELFDATA ELFDATA2LSB
#else
#define HOST_ELFDATA ELFDATA2MSB
#endif

/* The machines whose relocations kx_purgatory_relocate() knows. */
static const struct kx_reloc_ops *reloc_ops(uint16_t machine);

static bool machine_supported(uint16_t machine)
{
	return reloc_ops(machine) != NULL;
}

/* The blob is in the other byte order than this host's (ELFCLASS64 only: check_header()). */
static bool foreign(const uint8_t *elf)
{
	return elf[EI_DATA] != HOST_ELFDATA;
}

static uint16_t sw16(bool sw, uint16_t v)
{
	return sw ? __builtin_bswap16(v) : v;
}

static uint32_t sw32(bool sw, uint32_t v)
{
	return sw ? __builtin_bswap32(v) : v;
}

static uint64_t sw64(bool sw, uint64_t v)
{
	return sw ? __builtin_bswap64(v) : v;
}

/* The blob is ELFCLASS32 (checked by check_header() before any other read). */
static bool elf32(const uint8_t *elf)
{
	return elf[EI_CLASS] == ELFCLASS32;
}

/* Sizes of the class's structures. */
static size_t shdr_size(bool e32)
{
	return e32 ? sizeof(Elf32_Shdr) : sizeof(Elf64_Shdr);
}

static size_t sym_size(bool e32)
{
	return e32 ? sizeof(Elf32_Sym) : sizeof(Elf64_Sym);
}

/* An ELF header of either class, as Elf64_Ehdr (len checked by the caller). */
static Elf64_Ehdr ehdr_read(const uint8_t *elf)
{
	Elf64_Ehdr eh;
	Elf32_Ehdr e;

	if (!elf32(elf)) {
		bool sw = foreign(elf);

		memcpy(&eh, elf, sizeof(eh));
		eh.e_type = sw16(sw, eh.e_type);
		eh.e_machine = sw16(sw, eh.e_machine);
		eh.e_version = sw32(sw, eh.e_version);
		eh.e_entry = sw64(sw, eh.e_entry);
		eh.e_phoff = sw64(sw, eh.e_phoff);
		eh.e_shoff = sw64(sw, eh.e_shoff);
		eh.e_flags = sw32(sw, eh.e_flags);
		eh.e_ehsize = sw16(sw, eh.e_ehsize);
		eh.e_phentsize = sw16(sw, eh.e_phentsize);
		eh.e_phnum = sw16(sw, eh.e_phnum);
		eh.e_shentsize = sw16(sw, eh.e_shentsize);
		eh.e_shnum = sw16(sw, eh.e_shnum);
		eh.e_shstrndx = sw16(sw, eh.e_shstrndx);
		return eh;
	}
	memcpy(&e, elf, sizeof(e));
	memcpy(eh.e_ident, e.e_ident, EI_NIDENT);
	eh.e_type = e.e_type;
	eh.e_machine = e.e_machine;
	eh.e_version = e.e_version;
	eh.e_entry = e.e_entry;
	eh.e_phoff = e.e_phoff;
	eh.e_shoff = e.e_shoff;
	eh.e_flags = e.e_flags;
	eh.e_ehsize = e.e_ehsize;
	eh.e_phentsize = e.e_phentsize;
	eh.e_phnum = e.e_phnum;
	eh.e_shentsize = e.e_shentsize;
	eh.e_shnum = e.e_shnum;
	eh.e_shstrndx = e.e_shstrndx;
	return eh;
}

/* Reads of structures validated by kx_purgatory_init(). */
static Elf64_Ehdr ehdr_of(const struct kx_purgatory *p)
{
	return ehdr_read(p->elf);
}

static Elf64_Shdr shdr_of(const struct kx_purgatory *p, unsigned int i)
{
	Elf64_Ehdr eh = ehdr_of(p);
	const uint8_t *at = p->elf + eh.e_shoff + (uint64_t)i * shdr_size(elf32(p->elf));
	Elf64_Shdr sh;
	Elf32_Shdr s;

	if (!elf32(p->elf)) {
		bool sw = foreign(p->elf);

		memcpy(&sh, at, sizeof(sh));
		sh.sh_name = sw32(sw, sh.sh_name);
		sh.sh_type = sw32(sw, sh.sh_type);
		sh.sh_flags = sw64(sw, sh.sh_flags);
		sh.sh_addr = sw64(sw, sh.sh_addr);
		sh.sh_offset = sw64(sw, sh.sh_offset);
		sh.sh_size = sw64(sw, sh.sh_size);
		sh.sh_link = sw32(sw, sh.sh_link);
		sh.sh_info = sw32(sw, sh.sh_info);
		sh.sh_addralign = sw64(sw, sh.sh_addralign);
		sh.sh_entsize = sw64(sw, sh.sh_entsize);
		return sh;
	}
	memcpy(&s, at, sizeof(s));
	sh.sh_name = s.sh_name;
	sh.sh_type = s.sh_type;
	sh.sh_flags = s.sh_flags;
	sh.sh_addr = s.sh_addr;
	sh.sh_offset = s.sh_offset;
	sh.sh_size = s.sh_size;
	sh.sh_link = s.sh_link;
	sh.sh_info = s.sh_info;
	sh.sh_addralign = s.sh_addralign;
	sh.sh_entsize = s.sh_entsize;
	return sh;
}

struct symtab {
	unsigned int index; /* of the SHT_SYMTAB section */
	const uint8_t *syms;
	size_t nsyms;
	const char *strtab;
	size_t strtab_size;
	bool elf32;
	bool swap; /* foreign(): fields in the other byte order */
};

static Elf64_Sym sym_of(const struct symtab *st, size_t i)
{
	Elf64_Sym sym;
	Elf32_Sym s;

	if (!st->elf32) {
		memcpy(&sym, st->syms + i * sizeof(sym), sizeof(sym));
		sym.st_name = sw32(st->swap, sym.st_name);
		sym.st_shndx = sw16(st->swap, sym.st_shndx);
		sym.st_value = sw64(st->swap, sym.st_value);
		sym.st_size = sw64(st->swap, sym.st_size);
		return sym;
	}
	memcpy(&s, st->syms + i * sizeof(s), sizeof(s));
	sym.st_name = s.st_name;
	sym.st_info = s.st_info;
	sym.st_other = s.st_other;
	sym.st_shndx = s.st_shndx;
	sym.st_value = s.st_value;
	sym.st_size = s.st_size;
	return sym;
}

/* Bytes of one entry of relocation section rs (SHT_RELA or SHT_REL), by class. */
static size_t rel_size(bool e32, const Elf64_Shdr *rs)
{
	if (rs->sh_type == SHT_RELA)
		return e32 ? sizeof(Elf32_Rela) : sizeof(Elf64_Rela);
	return e32 ? sizeof(Elf32_Rel) : sizeof(Elf64_Rel);
}

/*
 * Relocation j of section rs (checked by relocations()) as Elf64_Rela, its
 * info in ELF64_R_SYM/ELF64_R_TYPE form. A REL entry's addend is the one the
 * field holds in the blob (ops->rel_addend, which relocations() requires).
 */
static Elf64_Rela rel_of(const struct kx_purgatory *p, const struct kx_reloc_ops *ops,
			 const Elf64_Shdr *rs, size_t j)
{
	bool e32 = elf32(p->elf);
	const uint8_t *at = p->elf + rs->sh_offset + j * rel_size(e32, rs);
	Elf64_Rela r = { 0 };

	if (e32) {
		Elf32_Rela r32 = { 0 };

		memcpy(&r32, at, rs->sh_type == SHT_RELA ? sizeof(Elf32_Rela) : sizeof(Elf32_Rel));
		r.r_offset = r32.r_offset;
		r.r_info = ELF64_R_INFO(ELF32_R_SYM(r32.r_info), ELF32_R_TYPE(r32.r_info));
		r.r_addend = r32.r_addend;
	} else {
		bool sw = foreign(p->elf);

		memcpy(&r, at, rs->sh_type == SHT_RELA ? sizeof(Elf64_Rela) : sizeof(Elf64_Rel));
		r.r_offset = sw64(sw, r.r_offset);
		r.r_info = sw64(sw, r.r_info);
		r.r_addend = (int64_t)sw64(sw, (uint64_t)r.r_addend);
		if (ops->info)
			r.r_info = ops->info(r.r_info);
	}
	if (rs->sh_type == SHT_REL) {
		Elf64_Shdr ts = shdr_of(p, rs->sh_info);
		uint32_t type = (uint32_t)ELF64_R_TYPE(r.r_info);
		unsigned int width = ops->width(type);

		/* A field past the section's end has no addend: relocations() refuses it. */
		if (width && r.r_offset <= ts.sh_size && width <= ts.sh_size - r.r_offset)
			r.r_addend = ops->rel_addend(p->elf + ts.sh_offset + r.r_offset, type);
	}
	return r;
}

/*
 * The first SHT_SYMTAB and its string table. Checked here, so that init can
 * use it for validation and the other calls (after a successful init) trust it.
 */
static int find_symtab(struct kexec_ctx *ctx, const struct kx_purgatory *p, struct symtab *st)
{
	Elf64_Ehdr eh = ehdr_of(p);
	Elf64_Shdr sh, str;
	unsigned int i;

	for (i = 0; i < eh.e_shnum; i++) {
		sh = shdr_of(p, i);
		if (sh.sh_type == SHT_SYMTAB)
			break;
	}
	if (i == eh.e_shnum) {
		kx_err(ctx, "purgatory: no symbol table");
		return -ENOEXEC;
	}
	if (sh.sh_entsize != sym_size(elf32(p->elf)) || sh.sh_size % sym_size(elf32(p->elf))) {
		kx_err(ctx, "purgatory: symbol table entries are not Elf%d_Sym",
		       elf32(p->elf) ? 32 : 64);
		return -ENOEXEC;
	}
	if (sh.sh_link == 0 || sh.sh_link >= eh.e_shnum) {
		kx_err(ctx, "purgatory: symbol table links to section %u of %u", sh.sh_link,
		       eh.e_shnum);
		return -ENOEXEC;
	}
	str = shdr_of(p, sh.sh_link);
	/* Ending in NUL: every name starting inside the table ends inside it. */
	if (str.sh_type != SHT_STRTAB || str.sh_size == 0 ||
	    p->elf[str.sh_offset + str.sh_size - 1] != '\0') {
		kx_err(ctx, "purgatory: the symbol table's string table is malformed");
		return -ENOEXEC;
	}
	st->index = i;
	st->syms = p->elf + sh.sh_offset;
	st->nsyms = sh.sh_size / sym_size(elf32(p->elf));
	st->elf32 = elf32(p->elf);
	st->swap = foreign(p->elf);
	st->strtab = (const char *)p->elf + str.sh_offset;
	st->strtab_size = str.sh_size;
	return 0;
}

/*
 * A defined symbol by name; a global one wins over locals of the same name.
 * Returns its index, or 0 (the null symbol) when there is none.
 */
static size_t lookup(const struct symtab *st, const char *name)
{
	size_t i, local = 0;

	for (i = 1; i < st->nsyms; i++) {
		Elf64_Sym sym = sym_of(st, i);

		if (sym.st_shndx == SHN_UNDEF || strcmp(st->strtab + sym.st_name, name))
			continue;
		if (ELF64_ST_BIND(sym.st_info) != STB_LOCAL)
			return i;
		if (!local)
			local = i;
	}
	return local;
}

/* The symbol called name: -ENOENT if there is none. */
static int find_symbol(const struct kx_purgatory *p, const char *name, Elf64_Sym *sym)
{
	struct symtab st;
	size_t i;

	if (!p->elf || find_symtab(NULL, p, &st))
		return -EINVAL;
	i = lookup(&st, name);
	if (!i)
		return -ENOENT;
	*sym = sym_of(&st, i);
	return 0;
}

/* Where a variable's bytes are in the buffer, if it is one the loader can set. */
static int variable(const struct kx_purgatory *p, const char *name, size_t len, size_t *off)
{
	Elf64_Sym sym;
	Elf64_Shdr sh;
	int r = find_symbol(p, name, &sym);

	if (r)
		return r;
	if (sym.st_size != len || sym.st_shndx >= ehdr_of(p).e_shnum ||
	    p->sec_off[sym.st_shndx] == UINT64_MAX)
		return -EINVAL;
	sh = shdr_of(p, sym.st_shndx);
	/* In .bss it would not be in the image the loader hands to the kernel. */
	if (sh.sh_type == SHT_NOBITS || sym.st_value > sh.sh_size || len > sh.sh_size - sym.st_value)
		return -EINVAL;
	*off = (size_t)(p->sec_off[sym.st_shndx] + sym.st_value);
	return 0;
}

int kx_purgatory_set(struct kx_purgatory *p, const char *name, const void *val, size_t len)
{
	size_t off;
	int r = variable(p, name, len, &off);

	if (r)
		return r;
	memcpy(p->buf + off, val, len);
	return 0;
}

int kx_purgatory_get(const struct kx_purgatory *p, const char *name, void *val, size_t len)
{
	size_t off;
	int r = variable(p, name, len, &off);

	if (r)
		return r;
	memcpy(val, p->buf + off, len);
	return 0;
}

/* The layout both sides rely on (LP64, natural alignment): no padding anywhere. */
_Static_assert(sizeof(struct kx_purgatory_params) == 480, "struct kx_purgatory_params changed");
_Static_assert(offsetof(struct kx_purgatory_params, digest) == 64, "struct kx_purgatory_params");

/* The parameter block in the other byte order, field by field (the digest is bytes). */
static void params_swap(struct kx_purgatory_params *pp)
{
	pp->entry = __builtin_bswap64(pp->entry);
	pp->boot_data = __builtin_bswap64(pp->boot_data);
	pp->console_base = __builtin_bswap64(pp->console_base);
	pp->console_kind = __builtin_bswap32(pp->console_kind);
	pp->flags = __builtin_bswap32(pp->flags);
	for (size_t i = 0; i < ARRAY_SIZE(pp->arch); i++)
		pp->arch[i] = __builtin_bswap64(pp->arch[i]);
	for (size_t i = 0; i < KX_SHA_REGIONS_MAX; i++) {
		pp->regions[i].start = __builtin_bswap64(pp->regions[i].start);
		pp->regions[i].len = __builtin_bswap64(pp->regions[i].len);
		pp->region_sums[i] = __builtin_bswap64(pp->region_sums[i]);
	}
}

int kx_purgatory_set_params(struct kx_purgatory *p, const struct kx_purgatory_params *pp)
{
	struct kx_purgatory_params t = *pp;

	if (foreign(p->elf))
		params_swap(&t);
	return kx_purgatory_set(p, KX_PURGATORY_PARAMS_NAME, &t, sizeof(t));
}

int kx_purgatory_get_params(const struct kx_purgatory *p, struct kx_purgatory_params *pp)
{
	int r = kx_purgatory_get(p, KX_PURGATORY_PARAMS_NAME, pp, sizeof(*pp));

	if (r == 0 && foreign(p->elf))
		params_swap(pp);
	return r;
}

int kx_purgatory_symbol_addr(const struct kx_purgatory *p, const char *name, uint64_t *addr)
{
	Elf64_Sym sym;
	int r = find_symbol(p, name, &sym);

	if (r)
		return r;
	if (sym.st_shndx == SHN_ABS) {
		*addr = sym.st_value;
		return 0;
	}
	if (sym.st_shndx >= ehdr_of(p).e_shnum || p->sec_off[sym.st_shndx] == UINT64_MAX)
		return -EINVAL;
	*addr = p->base + p->sec_off[sym.st_shndx] + sym.st_value;
	return 0;
}

/* A symbol name for a message: the blob is parsed as hostile, so are its names. */
static const char *shown(const char *name, char *buf, size_t size)
{
	return kx_printable(name, strlen(name), buf, size);
}

/* The relocation functions of the purgatory's machine (lib/arch/<arch>/reloc.c). */
static const struct kx_reloc_ops *reloc_ops(uint16_t machine)
{
	const struct kx_arch *a = kx_arch_by_e_machine(machine);

	return a ? a->reloc : NULL;
}

/*
 * S of relocation rel for the buffer at base: its symbol's address (checked:
 * defined, and absolute or in a loaded section). -ENOEXEC, logged, if not.
 */
static int reloc_symbol(struct kexec_ctx *ctx, const struct kx_purgatory *p, const struct symtab *st,
			const Elf64_Rela *rel, uint64_t base, uint64_t *s)
{
	Elf64_Sym sym;
	const char *name;
	char buf[64];

	if (ELF64_R_SYM(rel->r_info) >= st->nsyms) {
		kx_err(ctx, "purgatory: relocation names symbol %llu of %zu",
		       (unsigned long long)ELF64_R_SYM(rel->r_info), st->nsyms);
		return -ENOEXEC;
	}
	sym = sym_of(st, ELF64_R_SYM(rel->r_info));
	name = st->strtab + sym.st_name;
	if (sym.st_shndx == SHN_UNDEF) {
		kx_err(ctx, "purgatory: undefined symbol '%s'", shown(name, buf, sizeof(buf)));
		return -ENOEXEC;
	}
	if (sym.st_shndx == SHN_ABS) {
		*s = sym.st_value;
	} else if (p->sec_off[sym.st_shndx] != UINT64_MAX) {
		*s = base + p->sec_off[sym.st_shndx] + sym.st_value;
	} else {
		kx_err(ctx, "purgatory: symbol '%s' is in section %u, which is not loaded",
		       shown(name, buf, sizeof(buf)), sym.st_shndx);
		return -ENOEXEC;
	}
	return 0;
}

/*
 * A relocation whose value is another's (kx_reloc_ops.pair; RISC-V's
 * PCREL_LO12): its symbol + addend is the offset, in the same section rs
 * applies to, of a relocation of type partner. *sa and *pc become that one's
 * S + A and P. The section's relocations are sorted by offset (relocations()
 * checks): found by bisection, so a hostile blob costs no quadratic search.
 */
static int reloc_partner(struct kexec_ctx *ctx, const struct kx_purgatory *p,
			 const struct kx_reloc_ops *ops, const struct symtab *st, const Elf64_Shdr *rs,
			 const Elf64_Rela *rel, uint32_t type, uint32_t partner, uint64_t base,
			 uint64_t *sa, uint64_t *pc)
{
	size_t n = rs->sh_size / rel_size(elf32(p->elf), rs), lo = 0, hi = n;
	Elf64_Sym sym = sym_of(st, ELF64_R_SYM(rel->r_info)); /* index checked by the caller */
	uint64_t at = sym.st_value + (uint64_t)rel->r_addend, s;
	Elf64_Rela r;
	int ret;

	if (sym.st_shndx != rs->sh_info) {
		kx_err(ctx, "purgatory: relocation type %u at 0x%llx of section %u names a symbol "
		       "in section %u, not its own", type, (unsigned long long)rel->r_offset,
		       rs->sh_info, sym.st_shndx);
		return -ENOEXEC;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		r = rel_of(p, ops, rs, mid);
		if (r.r_offset < at)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < n; lo++) {
		r = rel_of(p, ops, rs, lo);
		if (r.r_offset != at)
			break;
		if (ELF64_R_TYPE(r.r_info) != partner)
			continue;
		ret = reloc_symbol(ctx, p, st, &r, base, &s);
		if (ret)
			return ret;
		*sa = s + (uint64_t)r.r_addend;
		*pc = base + p->sec_off[rs->sh_info] + at;
		return 0;
	}
	kx_err(ctx, "purgatory: relocation type %u at 0x%llx of section %u has no type %u "
	       "relocation at 0x%llx to complete", type, (unsigned long long)rel->r_offset,
	       rs->sh_info, partner, (unsigned long long)at);
	return -ENOEXEC;
}

/*
 * Walks every RELA section that applies to a loaded section. With apply false
 * (from init) it only validates, so a malformed relocation fails at init and
 * kx_purgatory_relocate() fails only on an overflow.
 */
/*
 * Relocation section i: 0 and the section it applies to in *ts, 1 when
 * there is nothing to do (it applies to what is not loaded), or -ENOEXEC.
 */
static int rel_section(struct kexec_ctx *ctx, const struct kx_purgatory *p,
		       const struct kx_reloc_ops *ops, const struct symtab *st, unsigned int i,
		       const Elf64_Shdr *rs, Elf64_Shdr *ts)
{
	Elf64_Ehdr eh = ehdr_of(p);

	if (rs->sh_info >= eh.e_shnum) {
		kx_err(ctx, "purgatory: relocation section %u applies to section %u of %u", i,
		       rs->sh_info, eh.e_shnum);
		return -ENOEXEC;
	}
	/* Relocations for debug info and the like: not loaded, not needed. */
	if (p->sec_off[rs->sh_info] == UINT64_MAX)
		return 1;
	*ts = shdr_of(p, rs->sh_info);
	if ((rs->sh_type == SHT_REL && !ops->rel_addend) || ts->sh_type == SHT_NOBITS) {
		kx_err(ctx, "purgatory: section %u has %s relocations", rs->sh_info,
		       rs->sh_type == SHT_REL ? "SHT_REL (not RELA)" : "NOBITS but");
		return -ENOEXEC;
	}
	if (rs->sh_link != st->index || rs->sh_entsize != rel_size(st->elf32, rs) ||
	    rs->sh_size % rel_size(st->elf32, rs)) {
		kx_err(ctx, "purgatory: relocation section %u is malformed", i);
		return -ENOEXEC;
	}
	return 0;
}

/* Relocation j of section rs (against ts): its value, and with apply, written. */
static int one_reloc(struct kexec_ctx *ctx, struct kx_purgatory *p, const struct kx_reloc_ops *ops,
		     const struct symtab *st, const Elf64_Shdr *rs, const Elf64_Shdr *ts, size_t j,
		     uint64_t base, bool apply, uint64_t *prev)
{
	Elf64_Rela rel = rel_of(p, ops, rs, j);
	uint32_t type = (uint32_t)ELF64_R_TYPE(rel.r_info), partner;
	unsigned int width = ops->width(type);
	uint64_t s, sa, pc;
	char buf[64];
	int r;

	if (!width) {
		kx_err(ctx, "purgatory: unsupported relocation type %u", type);
		return -ENOEXEC;
	}
	if (rel.r_offset > ts->sh_size || width > ts->sh_size - rel.r_offset) {
		kx_err(ctx, "purgatory: relocation at 0x%llx is past the end of section %u",
		       (unsigned long long)rel.r_offset, rs->sh_info);
		return -ENOEXEC;
	}
	/* Paired relocations are found by bisection: offsets must not go down. */
	if (ops->pair && rel.r_offset < *prev) {
		kx_err(ctx, "purgatory: relocations of section %u are not sorted by offset",
		       rs->sh_info);
		return -ENOEXEC;
	}
	*prev = rel.r_offset;
	r = reloc_symbol(ctx, p, st, &rel, base, &s);
	if (r)
		return r;
	sa = s + (uint64_t)rel.r_addend;
	pc = base + p->sec_off[rs->sh_info] + rel.r_offset;
	if (ops->toc_relative && ops->toc_relative(type))
		sa -= base + ops->toc_offset;
	partner = ops->pair ? ops->pair(type) : 0;
	if (partner) {
		r = reloc_partner(ctx, p, ops, st, rs, &rel, type, partner, base, &sa, &pc);
		if (r)
			return r;
	}
	if (!apply)
		return 0;
	r = ops->apply(p->buf + p->sec_off[rs->sh_info] + rel.r_offset, type, sa, pc);
	if (r == -ERANGE) {
		Elf64_Sym sym = sym_of(st, ELF64_R_SYM(rel.r_info));

		kx_err(ctx, "purgatory: relocation type %u against %s overflows at 0x%llx: "
			    "place the purgatory lower",
		       type, shown(st->strtab + sym.st_name, buf, sizeof(buf)),
		       (unsigned long long)(base + p->sec_off[rs->sh_info] + rel.r_offset));
	}
	return r;
}

static int relocations(struct kexec_ctx *ctx, struct kx_purgatory *p, uint64_t base, bool apply)
{
	Elf64_Ehdr eh = ehdr_of(p);
	const struct kx_reloc_ops *ops = reloc_ops(eh.e_machine);
	struct symtab st;
	int r;

	r = find_symtab(ctx, p, &st);
	if (r)
		return r;
	for (unsigned int i = 0; i < eh.e_shnum; i++) {
		Elf64_Shdr rs = shdr_of(p, i), ts;
		uint64_t prev = 0;

		if (rs.sh_type != SHT_RELA && rs.sh_type != SHT_REL)
			continue;
		r = rel_section(ctx, p, ops, &st, i, &rs, &ts);
		if (r < 0)
			return r;
		for (size_t j = 0; r == 0 && j < rs.sh_size / rel_size(st.elf32, &rs); j++) {
			int e = one_reloc(ctx, p, ops, &st, &rs, &ts, j, base, apply, &prev);

			if (e)
				return e;
		}
	}
	return 0;
}

int kx_purgatory_relocate(struct kexec_ctx *ctx, struct kx_purgatory *p, uint64_t base)
{
	int r;

	if (!p->elf)
		return -EINVAL;
	if (base % p->align) {
		kx_err(ctx, "purgatory: base 0x%llx is not aligned to %zu", (unsigned long long)base,
		       p->align);
		return -EINVAL;
	}
	if (base + p->memsz < base) {
		kx_err(ctx, "purgatory: base 0x%llx wraps around", (unsigned long long)base);
		return -ERANGE;
	}
	/* RELA values do not depend on the field's old contents: applying again is fine. */
	r = relocations(ctx, p, base, true);
	if (r)
		return r;
	p->base = base;
	kx_dbg(ctx, "purgatory: relocated to 0x%llx", (unsigned long long)base);
	return 0;
}

static int check_header(struct kexec_ctx *ctx, const uint8_t *elf, size_t len, Elf64_Ehdr *eh)
{
	if (len < sizeof(*eh)) {
		kx_err(ctx, "purgatory: %zu bytes is too short for an ELF header", len);
		return -ENOEXEC;
	}
	if (memcmp(elf, ELFMAG, SELFMAG) ||
	    (elf[EI_CLASS] != ELFCLASS64 && elf[EI_CLASS] != ELFCLASS32) ||
	    (elf[EI_DATA] != ELFDATA2LSB && elf[EI_DATA] != ELFDATA2MSB) ||
	    (elf[EI_CLASS] == ELFCLASS32 && foreign(elf)) || elf[EI_VERSION] != EV_CURRENT) {
		kx_err(ctx, "purgatory: not an ELF file this library reads (ELFCLASS64 in either "
			    "byte order, ELFCLASS32 in this machine's)");
		return -ENOEXEC;
	}
	*eh = ehdr_read(elf);
	if (eh->e_type != ET_REL || !machine_supported(eh->e_machine)) {
		kx_err(ctx, "purgatory: ELF type %u machine %u, want a relocatable object (%u) "
		       "for a machine of the architecture table",
		       eh->e_type, eh->e_machine, ET_REL);
		return -ENOEXEC;
	}
	/* e_shnum 0 means more than 0xff00 sections (count in section 0): not a purgatory. */
	if (eh->e_shentsize != shdr_size(elf32(elf)) || eh->e_shnum == 0 || eh->e_shoff > len ||
	    (uint64_t)eh->e_shnum * shdr_size(elf32(elf)) > len - eh->e_shoff) {
		kx_err(ctx, "purgatory: section header table (%u entries at 0x%llx) is not in "
		       "the %zu-byte file", eh->e_shnum, (unsigned long long)eh->e_shoff, len);
		return -ENOEXEC;
	}
	return 0;
}

/* Every section's contents within the file, allocated ones with a sane alignment. */
static int check_sections(struct kexec_ctx *ctx, const struct kx_purgatory *p)
{
	Elf64_Ehdr eh = ehdr_of(p);
	unsigned int i;

	for (i = 0; i < eh.e_shnum; i++) {
		Elf64_Shdr sh = shdr_of(p, i);

		if (sh.sh_type != SHT_NOBITS &&
		    (sh.sh_offset > p->elf_len || sh.sh_size > p->elf_len - sh.sh_offset)) {
			kx_err(ctx, "purgatory: section %u (0x%llx bytes at 0x%llx) is past the end "
			       "of the %zu-byte file", i, (unsigned long long)sh.sh_size,
			       (unsigned long long)sh.sh_offset, p->elf_len);
			return -ENOEXEC;
		}
		if (!(sh.sh_flags & SHF_ALLOC))
			continue;
		if (sh.sh_addralign > PURGATORY_MAX_ALIGN || (sh.sh_addralign & (sh.sh_addralign - 1))) {
			kx_err(ctx, "purgatory: section %u alignment %llu is not a power of two up to %u",
			       i, (unsigned long long)sh.sh_addralign, PURGATORY_MAX_ALIGN);
			return -ENOEXEC;
		}
		if (sh.sh_size > PURGATORY_MAX_SIZE) {
			kx_err(ctx, "purgatory: section %u is too large (%llu bytes)", i,
			       (unsigned long long)sh.sh_size);
			return -ENOEXEC;
		}
	}
	return 0;
}

/* Every symbol's name inside the string table, its section a real one. */
static int check_symbols(struct kexec_ctx *ctx, const struct kx_purgatory *p)
{
	struct symtab st;
	size_t i;
	int r = find_symtab(ctx, p, &st);

	if (r)
		return r;
	for (i = 0; i < st.nsyms; i++) {
		Elf64_Sym sym = sym_of(&st, i);

		if (sym.st_name >= st.strtab_size) {
			kx_err(ctx, "purgatory: symbol %zu's name is outside the string table", i);
			return -ENOEXEC;
		}
		if (sym.st_shndx == SHN_UNDEF || sym.st_shndx == SHN_ABS)
			continue;
		if (sym.st_shndx >= ehdr_of(p).e_shnum) {
			char buf[64];

			kx_err(ctx, "purgatory: symbol '%s' has section index %u of %u (common "
			       "symbols need -fno-common)", shown(st.strtab + sym.st_name, buf, sizeof(buf)),
			       sym.st_shndx, ehdr_of(p).e_shnum);
			return -ENOEXEC;
		}
	}
	return 0;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/*
 * Sections with contents first, in file order, then the NOBITS ones, so that
 * the image the kernel copies (bufsz) ends where zero-filled memory begins.
 */
static int layout(struct kexec_ctx *ctx, struct kx_purgatory *p)
{
	Elf64_Ehdr eh = ehdr_of(p);
	uint64_t off = 0;
	unsigned int pass, i;

	p->align = 16;
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < eh.e_shnum; i++) {
			Elf64_Shdr sh = shdr_of(p, i);
			uint64_t a = sh.sh_addralign ? sh.sh_addralign : 1;

			if (!(sh.sh_flags & SHF_ALLOC) || (sh.sh_type == SHT_NOBITS) != (pass == 1))
				continue;
			off = align_up(off, a);
			p->sec_off[i] = off;
			off += sh.sh_size;
			/* Checked as it grows: e_shnum sections of PURGATORY_MAX_SIZE still fit in 64 bits. */
			if (off > PURGATORY_MAX_SIZE) {
				kx_err(ctx, "purgatory: sections add up to more than %u bytes",
				       PURGATORY_MAX_SIZE);
				return -ENOEXEC;
			}
			if (a > p->align)
				p->align = (size_t)a;
		}
		if (pass == 0)
			p->bufsz = (size_t)off;
	}
	p->memsz = (size_t)align_up(off, 16);
	return 0;
}

int kx_purgatory_init(struct kexec_ctx *ctx, struct kx_purgatory *p, const void *elf, size_t len)
{
	Elf64_Ehdr eh;
	unsigned int i;
	int r;

	memset(p, 0, sizeof(*p));
	r = check_header(ctx, elf, len, &eh);
	if (r)
		return r;
	p->elf = elf;
	p->elf_len = len;
	r = check_sections(ctx, p);
	if (!r)
		r = check_symbols(ctx, p);
	if (r)
		goto fail;
	p->sec_off = malloc(eh.e_shnum * sizeof(*p->sec_off));
	if (!p->sec_off) {
		r = -ENOMEM;
		goto fail;
	}
	for (i = 0; i < eh.e_shnum; i++)
		p->sec_off[i] = UINT64_MAX;
	r = layout(ctx, p);
	if (!r)
		r = relocations(ctx, p, 0, false);
	if (r)
		goto fail;
	p->buf = calloc(1, p->bufsz ? p->bufsz : 1);
	if (!p->buf) {
		r = -ENOMEM;
		goto fail;
	}
	for (i = 0; i < eh.e_shnum; i++) {
		Elf64_Shdr sh = shdr_of(p, i);

		if (p->sec_off[i] != UINT64_MAX && sh.sh_type != SHT_NOBITS)
			memcpy(p->buf + p->sec_off[i], p->elf + sh.sh_offset, sh.sh_size);
	}
	kx_dbg(ctx, "purgatory: %zu bytes of data, %zu in memory, aligned to %zu", p->bufsz,
	       p->memsz, p->align);
	return 0;
fail:
	kx_purgatory_free(p);
	return r;
}

void kx_purgatory_free(struct kx_purgatory *p)
{
	free(p->buf);
	free(p->sec_off);
	memset(p, 0, sizeof(*p));
}
